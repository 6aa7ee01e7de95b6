// The change-log pump: copies every committed store revision into the SHOAL_EVENTS JetStream
// stream, in revision order, exactly once per revision, resuming after a crash of either side.
//
// Why nothing is lost: the store keeps its change log for a window; the pump reads the last
// revision the stream holds and follows store.watch() from there. A crash between a LevelDB
// commit and its publish only delays the publish until the pump restarts.
//
// Why nothing is doubled or reordered: every publish carries `Nats-Msg-Id: <revision>`
// (JetStream de-duplication) and, more strictly, an expected last stream sequence: the
// message for revision R+k is accepted only on top of the one for R+k-1. A publish lost in a
// reconnect therefore makes every later publish in the pipeline fail rather than land after
// a hole; the pump re-reads the stream's tail and continues from it.
import {
  connect,
  Events,
  NatsError,
  nanos,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  type PubAck,
  type StreamConfig,
} from 'nats';
import { abortable, sleep } from '../../lib/abort.js';
import { RevisionWaiters } from '../../lib/revision-waiters.js';
import { ExpiredError } from '../../lib/errors.js';
import {
  EVENTS_STREAM,
  EVENTS_SUBJECTS,
  encodeEvent,
  revisionFromHeaders,
  type StreamEvent,
} from '../../lib/events-stream.js';
import type { Store } from './store-types.js';

export interface PumpLogger {
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

export interface PumpOptions {
  store: Store;
  /** A NATS URL; the pump opens (and on stop closes) its own connection... */
  natsUrl?: string;
  /** ...or an existing connection, left open on stop. */
  nc?: NatsConnection;
  /** Stops the pump when aborted (as stop() does). */
  signal?: AbortSignal;
  /** Publishes in flight awaiting their PubAck at most (default 256). */
  batch?: number;
  /** The stream keeps events this long (default 1 h): informers that fall further behind relist. */
  maxAgeMs?: number;
  /** JetStream's de-duplication window (default 2 min). */
  duplicateWindowMs?: number;
  /** Per-publish PubAck timeout (default 5 s). */
  publishTimeoutMs?: number;
  /** Retry backoff after a failure: starts here (default 100 ms), doubling... */
  minBackoffMs?: number;
  /** ...up to this (default 5 s). */
  maxBackoffMs?: number;
  logger?: PumpLogger;
}

export interface Pump {
  /** The highest revision known to be in the stream (acknowledged, in order). */
  readonly publishedRevision: number;
  /** Resolves once the stream exists and the pump has found where to resume. */
  readonly ready: Promise<void>;
  /** Resolves once `revision` is in the stream; rejects if `signal` aborts or the pump stops. */
  waitForRevision(revision: number, signal?: AbortSignal): Promise<void>;
  /** Stops publishing (in-flight publishes are awaited); closes a connection it opened. */
  stop(): Promise<void>;
}

const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;
const DEFAULT_BATCH = 256;

function apiErrorCode(err: unknown): number | undefined {
  return err instanceof NatsError ? err.api_error?.err_code : undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The stream's configuration as the pump wants it. */
export function eventsStreamConfig(maxAgeMs = 3_600_000, duplicateWindowMs = 120_000): Partial<StreamConfig> {
  return {
    name: EVENTS_STREAM,
    subjects: [EVENTS_SUBJECTS],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(maxAgeMs),
    duplicate_window: nanos(Math.min(duplicateWindowMs, maxAgeMs)),
    num_replicas: 1,
  };
}

/** Creates the stream, or brings an existing one's limits to `config`. */
export async function ensureEventsStream(jsm: JetStreamManager, config: Partial<StreamConfig>): Promise<void> {
  try {
    const info = await jsm.streams.info(EVENTS_STREAM);
    const c = info.config;
    if (
      c.max_age !== config.max_age ||
      c.duplicate_window !== config.duplicate_window ||
      c.subjects.length !== 1 ||
      c.subjects[0] !== EVENTS_SUBJECTS
    ) {
      await jsm.streams.update(EVENTS_STREAM, {
        ...c,
        subjects: [EVENTS_SUBJECTS],
        max_age: config.max_age!,
        duplicate_window: config.duplicate_window!,
      });
    }
  } catch (err) {
    if (apiErrorCode(err) !== STREAM_NOT_FOUND) throw err;
    try {
      await jsm.streams.add(config);
    } catch (addErr) {
      // Created concurrently by another process: fine.
      if (apiErrorCode(addErr) !== STREAM_NAME_IN_USE) throw addErr;
    }
  }
}

/** The stream's tail: its last sequence and the revision stored there (undefined if empty). */
export async function readStreamTail(jsm: JetStreamManager): Promise<{ lastSeq: number; lastRevision?: number }> {
  const info = await jsm.streams.info(EVENTS_STREAM);
  const { messages, last_seq: lastSeq } = info.state;
  if (messages === 0) return { lastSeq };
  const msg = await jsm.streams.getMessage(EVENTS_STREAM, { seq: lastSeq });
  const lastRevision = revisionFromHeaders(msg.header);
  if (lastRevision === undefined) throw new Error(`stream ${EVENTS_STREAM} message ${lastSeq} has no revision header`);
  return { lastSeq, lastRevision };
}

interface InFlight {
  revision: number;
  settled: boolean;
  error?: unknown;
}

/**
 * Starts the pump. Resolves at once with the handle (the connection and the stream are retried
 * in the background; `ready` says when it first found its place).
 */
export function startPump(opts: PumpOptions): Promise<Pump> {
  const { store } = opts;
  if (!opts.nc && !opts.natsUrl) return Promise.reject(new Error('startPump: give natsUrl or nc'));
  const logger: PumpLogger = opts.logger ?? console;
  const batch = Math.max(1, opts.batch ?? DEFAULT_BATCH);
  const publishTimeoutMs = opts.publishTimeoutMs ?? 5000;
  const minBackoff = opts.minBackoffMs ?? 100;
  const maxBackoff = opts.maxBackoffMs ?? 5000;
  const streamConfig = eventsStreamConfig(opts.maxAgeMs, opts.duplicateWindowMs);

  const stopper = new AbortController();
  const stopSignal = stopper.signal;
  const onOuterAbort = (): void => stopper.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (opts.signal?.aborted) stopper.abort();

  const publishedWaiters = new RevisionWaiters((rev, published) => `stopped waiting for revision ${rev} (published ${published})`);
  const advance = (revision: number): void => publishedWaiters.advance(revision);

  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });

  // Connect inside the loop, so a NATS that is down at start is retried (with backoff, and
  // abortable by stop()); once connected, nats.js reconnects by itself forever.
  let nc: NatsConnection | undefined;
  const ownConnection = !opts.nc;

  // Publishes in flight when the connection drops wait out their timeout; the current pass
  // is abandoned at once instead, so the pump resumes as soon as NATS is back.
  let onDisconnect: (() => void) | undefined;
  let statusDone: Promise<void> | undefined;
  // Aborted (and replaced) whenever the connection drops or comes back: requests made on the
  // old connection may never be answered, so whatever waits on them starts over at once.
  let connChange = new AbortController();
  const followStatus = (conn: NatsConnection): void => {
    const status = conn.status();
    const onStop = (): void => (status as Partial<{ stop(): void }>).stop?.();
    stopSignal.addEventListener('abort', onStop, { once: true });
    statusDone = (async () => {
      try {
        for await (const s of status) {
          if (s.type !== Events.Disconnect && s.type !== Events.Reconnect) continue;
          const old = connChange;
          connChange = new AbortController();
          old.abort(new Error('the NATS connection changed'));
          if (s.type === Events.Disconnect) onDisconnect?.();
        }
      } catch {
        // The connection closed.
      } finally {
        stopSignal.removeEventListener('abort', onStop);
      }
    })();
  };

  const connectOnce = async (): Promise<NatsConnection> => {
    if (nc) return nc;
    const conn = opts.nc ?? (await connect({ servers: opts.natsUrl!, name: 'shoal-api-pump', maxReconnectAttempts: -1, reconnectTimeWait: 250 }));
    nc = conn;
    followStatus(conn);
    return conn;
  };

  // Set after an ExpiredError: where the next pass resumes instead of the stream's tail.
  let resumeOverride: number | undefined;

  /** One pass: find the tail, follow the store, publish, until an error or stop. */
  const pass = async (
    conn: NatsConnection,
    jsm: JetStreamManager,
    js: JetStreamClient,
    changed: AbortSignal,
  ): Promise<void> => {
    await abortable(ensureEventsStream(jsm, streamConfig), changed);
    const tail = await abortable(readStreamTail(jsm), changed);
    let from: number;
    if (resumeOverride !== undefined && resumeOverride > (tail.lastRevision ?? 0)) {
      from = resumeOverride;
    } else if (tail.lastRevision === undefined) {
      from = store.compactedRevision;
    } else if (tail.lastRevision > store.revision) {
      // The stream holds another store's history (the store was replaced under it). Its
      // revisions would shadow ours: informers skip revisions they believe they have seen.
      logger.error(
        `pump: stream ${EVENTS_STREAM} ends at revision ${tail.lastRevision} but the store is at ` +
          `${store.revision}: the stream belongs to another store; purging it`,
      );
      await abortable(jsm.streams.purge(EVENTS_STREAM), changed);
      return;
    } else {
      from = tail.lastRevision;
    }
    resumeOverride = undefined;
    advance(tail.lastRevision ?? 0);
    resolveReady();

    const watchAbort = new AbortController();
    const onStop = (): void => watchAbort.abort();
    stopSignal.addEventListener('abort', onStop, { once: true });
    if (stopSignal.aborted) watchAbort.abort();

    let expectSeq = tail.lastSeq;
    const inflight: InFlight[] = [];
    let failure: { error: unknown } | undefined;
    let wakeSpace: (() => void) | undefined;
    let wakeDrained: (() => void) | undefined;

    const drain = (): void => {
      // Acknowledge strictly in order: a revision counts only once every earlier one has.
      while (inflight.length > 0 && inflight[0]!.settled) {
        const head = inflight.shift()!;
        if (head.error !== undefined) {
          failure ??= { error: head.error };
          watchAbort.abort();
        } else if (!failure) {
          advance(head.revision);
        }
      }
      if (inflight.length < batch) wakeSpace?.();
      if (inflight.length === 0) wakeDrained?.();
    };

    onDisconnect = () => {
      failure ??= { error: new Error('disconnected from NATS') };
      watchAbort.abort();
      wakeSpace?.();
    };
    const maxPayload = conn.info?.max_payload;
    try {
      const events: AsyncIterable<StreamEvent> = store.watch(from, watchAbort.signal);
      for await (const ev of events) {
        if (failure) break;
        const enc = encodeEvent(ev, maxPayload);
        const entry: InFlight = { revision: ev.revision, settled: false };
        inflight.push(entry);
        const p: Promise<PubAck> = js.publish(enc.subject, enc.data, {
          msgID: enc.msgID,
          headers: enc.headers,
          timeout: publishTimeoutMs,
          expect: { lastSequence: expectSeq, streamName: EVENTS_STREAM },
        });
        expectSeq++;
        p.then(
          () => {
            entry.settled = true;
            drain();
          },
          (err: unknown) => {
            entry.settled = true;
            entry.error = err;
            drain();
          },
        );
        if (inflight.length >= batch) {
          await new Promise<void>((resolve) => {
            wakeSpace = resolve;
          });
          wakeSpace = undefined;
        }
      }
    } finally {
      stopSignal.removeEventListener('abort', onStop);
      onDisconnect = undefined;
      // On stop, let every publish settle (each has a timeout) so publishedRevision is final.
      // After a failure there is no need to wait: a publish of this pass that lands late still
      // carries its expected sequence, so it either lands exactly where the next pass would
      // put the same revision (which then de-duplicates) or is rejected.
      if (inflight.length > 0 && !failure) {
        await new Promise<void>((resolve) => {
          wakeDrained = resolve;
          drain();
        });
      }
    }
    if (failure) throw failure.error;
  };

  const loop = async (): Promise<void> => {
    let attempt = 0;
    while (!stopSignal.aborted) {
      try {
        const conn = await connectOnce();
        const changed = connChange.signal;
        const jsm = await abortable(conn.jetstreamManager({ timeout: publishTimeoutMs }), changed);
        const js = conn.jetstream({ timeout: publishTimeoutMs });
        await pass(conn, jsm, js, changed);
        attempt = 0;
      } catch (err) {
        if (stopSignal.aborted) break;
        if (err instanceof ExpiredError) {
          // The store has compacted revisions the stream never received (the stream was lost,
          // or the pump was down longer than the log's retention). They are gone for good;
          // consumers see the hole through kindPrevRevision and relist.
          resumeOverride = store.compactedRevision;
          logger.error(
            `pump: LOST EVENTS: the stream is missing revisions the store has compacted (${err.message}); ` +
              `continuing from revision ${resumeOverride}, informers will relist`,
          );
          continue;
        }
        logger.warn(`pump: ${message(err)}; retrying`);
        const delay = Math.min(maxBackoff, minBackoff * 2 ** Math.min(attempt, 20));
        attempt++;
        // A reconnect cuts the wait short: NATS is back, try now.
        await sleep(delay * (0.8 + Math.random() * 0.4), AbortSignal.any([stopSignal, connChange.signal]));
      }
    }
  };

  const done = loop();

  const pump: Pump = {
    get publishedRevision() {
      return publishedWaiters.revision;
    },
    ready,
    waitForRevision(revision: number, signal?: AbortSignal): Promise<void> {
      return publishedWaiters.wait(revision, signal, stopSignal);
    },
    async stop(): Promise<void> {
      stopper.abort();
      opts.signal?.removeEventListener('abort', onOuterAbort);
      await done;
      if (ownConnection && nc && !nc.isClosed()) await nc.close();
      await statusDone;
    },
  };
  return Promise.resolve(pump);
}
