// An informer for one kind: list, then follow the change events the API server pumps into
// JetStream, keeping a local indexed cache and calling handlers (client-go's shared informer,
// with NATS in place of the apiserver watch).
//
// Correctness rests on two facts the pump guarantees: the stream carries revisions in
// increasing order with no duplicates, and each event names the previous revision of its
// kind (kindPrevRevision). So a consumer that starts early only skips what it has seen, and
// one that missed an event of its kind notices on the next one and relists.
import { Events, type ConsumerMessages, type JetStreamManager, type JsMsg, type NatsConnection } from 'nats';
import { abortable, sleep } from './abort.js';
import { RevisionWaiters } from './revision-waiters.js';
import { ShoalError } from './errors.js';
import {
  EVENTS_STREAM,
  decodeEvent,
  kindSubjectFilter,
  revisionFromHeaders,
  type StreamEvent,
} from './events-stream.js';
import { findKind, type KubeObject } from './kinds.js';
import { matchesLabels, parseLabelSelector, type LabelRequirements } from './selectors.js';

/** Lists every object of a kind (all namespaces) with the revision it was read at. In
 * production `(kind) => client.list(kind)` (one consistent snapshot). */
export type Lister = (kind: string) => Promise<{ items: KubeObject[]; resourceVersion: string | number }>;

/**
 * Called synchronously, in revision order, from the informer's single event loop; never
 * concurrently. Handlers should only enqueue keys: they must not block, and must not mutate
 * the objects (they are the cache's own). An exception is logged and otherwise ignored.
 */
export interface EventHandlers {
  onAdd?(obj: KubeObject): void;
  onUpdate?(oldObj: KubeObject, newObj: KubeObject): void;
  /** `obj` is the last state known (the deleted object, or the cached one after a relist). */
  onDelete?(obj: KubeObject): void;
}

export interface InformerLogger {
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

export interface InformerOptions {
  /** "Pod", "pods", "po", ...: normalised to the kind. */
  kind: string;
  /** A connection made with `maxReconnectAttempts: -1`; the informer does not close it. */
  nc: NatsConnection;
  lister: Lister;
  /** Client-side filter (e.g. spec.nodeName === me): objects that stop matching are deleted
   * from the cache (onDelete), objects that start matching are added. */
  filter?: (obj: KubeObject) => boolean;
  logger?: InformerLogger;
  /** Backoff between failed attempts: starts here (default 100 ms), doubling... */
  minBackoffMs?: number;
  /** ...up to this (default 10 s). */
  maxBackoffMs?: number;
  /** Messages requested per pull (default 256). */
  pullBatch?: number;
}

/** matchLabels (equality on every entry), a selector string ("app=web,tier in (a,b)"), or a
 * predicate on the labels. */
export type LabelSelectorArg = Record<string, string> | string | ((labels: Record<string, string>) => boolean);

export interface CacheListOptions {
  /** "" or absent: every namespace. */
  namespace?: string;
  labelSelector?: LabelSelectorArg;
}

export interface InformerStats {
  lists: number;
  /** Relists forced by a gap, an aged-out start, a truncated or unreadable event. */
  gaps: number;
  /** Change events applied. */
  events: number;
  /** Events delivered that the cache already reflected (a consumer started early). */
  skipped: number;
  /** Consumers (re)created. */
  consumers: number;
}

type WatchEnd = 'relist' | 'stopped';

const noop = (): void => {};

/** "namespace/name", or "name" for cluster-scoped objects. */
export function cacheKey(namespace: string | undefined, name: string | undefined): string {
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

function keyOf(obj: KubeObject): string {
  return cacheKey(obj.metadata?.namespace, obj.metadata?.name);
}

function addToIndex(index: Map<string, Set<string>>, value: string, key: string): void {
  let set = index.get(value);
  if (!set) index.set(value, (set = new Set()));
  set.add(key);
}

function removeFromIndex(index: Map<string, Set<string>>, value: string, key: string): void {
  const set = index.get(value);
  if (!set) return;
  set.delete(key);
  if (set.size === 0) index.delete(value);
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * One kind's informer. Lifecycle: construct, add handlers, start(), await `synced`, read the
 * cache; stop() when done. The cache and handlers run on the event loop: reads are always
 * consistent with the handler calls made so far.
 */
export class Informer {
  readonly kind: string;
  private readonly opts: InformerOptions;
  private readonly logger: InformerLogger;
  private readonly cache = new Map<string, KubeObject>();
  private readonly byNamespace = new Map<string, Set<string>>();
  private readonly byLabel = new Map<string, Set<string>>();
  private readonly handlers = new Set<EventHandlers>();
  private readonly revisionWaiters = new RevisionWaiters((rev, at) => `${this.kind} informer: stopped waiting for revision ${rev} (at ${at})`);

  private listRevision = 0;
  private applied = 0;
  /** The revision of the last event of this kind applied since the last list. */
  private lastKindRevision: number | undefined;
  private syncedFlag = false;
  private resolveSynced: () => void = noop;
  private abort = new AbortController();
  private running: Promise<void> | undefined;
  private messages: ConsumerMessages | undefined;
  // Aborted (and replaced) when the connection drops or comes back: a request made on the old
  // connection may never be answered, so the watch starts over at once instead of timing out.
  private connChange = new AbortController();
  private readonly statsValue: InformerStats = { lists: 0, gaps: 0, events: 0, skipped: 0, consumers: 0 };

  /** Resolves after the first list has filled the cache (and its handlers have run). */
  readonly synced: Promise<void>;

  constructor(opts: InformerOptions) {
    const info = findKind(opts.kind);
    if (!info) throw new ShoalError(`informer: unknown kind ${opts.kind}`);
    this.kind = info.kind;
    this.opts = opts;
    this.logger = opts.logger ?? console;
    this.synced = new Promise<void>((resolve) => {
      this.resolveSynced = resolve;
    });
  }

  /** True once the first list has filled the cache. */
  get hasSynced(): boolean {
    return this.syncedFlag;
  }

  /** The revision of the last list. */
  get lastSyncRevision(): number {
    return this.listRevision;
  }

  /** The cache reflects every change of this kind up to this revision. */
  get lastRevision(): number {
    return this.applied;
  }

  get stats(): Readonly<InformerStats> {
    return { ...this.statsValue };
  }

  /** Registers handlers; once synced, the cached objects are replayed to onAdd first (as
   * client-go does for a late handler). Returns a function that unregisters them. */
  addEventHandler(handlers: EventHandlers): () => void {
    this.handlers.add(handlers);
    if (this.syncedFlag && handlers.onAdd) {
      for (const obj of this.cache.values()) this.call(() => handlers.onAdd?.(obj));
    }
    return () => this.handlers.delete(handlers);
  }

  onAdd(fn: (obj: KubeObject) => void): () => void {
    return this.addEventHandler({ onAdd: fn });
  }

  onUpdate(fn: (oldObj: KubeObject, newObj: KubeObject) => void): () => void {
    return this.addEventHandler({ onUpdate: fn });
  }

  onDelete(fn: (obj: KubeObject) => void): () => void {
    return this.addEventHandler({ onDelete: fn });
  }

  /** The cached object (do not mutate it: clone first). Cluster-scoped kinds take "". */
  get(namespace: string, name: string): KubeObject | undefined {
    return this.cache.get(cacheKey(namespace, name));
  }

  getByKey(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  /** The cached objects matching the options (shared references: do not mutate). */
  list(opts: CacheListOptions = {}): KubeObject[] {
    const ns = opts.namespace ?? '';
    const sel = opts.labelSelector;
    let predicate: ((labels: Record<string, string>) => boolean) | undefined;
    let equalities: [string, string][] = [];
    if (typeof sel === 'function') {
      predicate = sel;
    } else if (typeof sel === 'string') {
      const reqs: LabelRequirements = parseLabelSelector(sel);
      for (const r of reqs) if (r.operator === 'In' && r.values.length === 1) equalities.push([r.key, r.values[0]!]);
      if (reqs.length > equalities.length) predicate = (labels) => matchesLabels(reqs, labels);
    } else if (sel) {
      equalities = Object.entries(sel);
    }

    // Start from the smallest index set that applies.
    let candidates: Iterable<string> | undefined;
    let best = Infinity;
    if (ns) {
      const set = this.byNamespace.get(ns);
      if (!set) return [];
      candidates = set;
      best = set.size;
    }
    for (const [k, v] of equalities) {
      const set = this.byLabel.get(`${k}=${v}`);
      if (!set) return [];
      if (set.size < best) {
        candidates = set;
        best = set.size;
      }
    }
    const out: KubeObject[] = [];
    for (const key of candidates ?? this.cache.keys()) {
      const obj = this.cache.get(key);
      if (!obj) continue;
      const meta = obj.metadata;
      if (ns && meta?.namespace !== ns) continue;
      const labels = meta?.labels ?? {};
      if (!equalities.every(([k, v]) => labels[k] === v)) continue;
      if (predicate && !predicate(labels)) continue;
      out.push(obj);
    }
    return out;
  }

  /** Every cache key ("namespace/name"). */
  keys(): string[] {
    return [...this.cache.keys()];
  }

  get size(): number {
    return this.cache.size;
  }

  /** Resolves once the cache reflects `revision` (an event of this kind at or after it, or a
   * list at or after it). Rejects when `signal` aborts or the informer stops. */
  waitForRevision(revision: number, signal?: AbortSignal): Promise<void> {
    return this.revisionWaiters.wait(revision, signal, this.abort.signal);
  }

  /** Starts listing and watching in the background. Stops when `signal` aborts or stop(). */
  start(signal?: AbortSignal): void {
    if (this.running) return;
    if (signal) {
      if (signal.aborted) this.abort.abort();
      else signal.addEventListener('abort', () => this.abort.abort(), { once: true });
    }
    this.running = this.run();
  }

  /** Stops watching; the cache stays readable. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.closeMessages();
    await this.running;
  }

  // ---- the loop ----

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const reconnects = this.watchReconnects(signal);
    let failures = 0;
    // Relists that applied no event before the next relist: backed off, so a stream that
    // keeps showing the same hole cannot spin the lister.
    let fruitless = 0;
    try {
      while (!signal.aborted) {
        try {
          await this.relist();
          failures = 0;
          const events = this.statsValue.events;
          const end = await this.watch(signal);
          if (end === 'stopped') break;
          fruitless = this.statsValue.events === events ? fruitless + 1 : 0;
          if (fruitless > 1) await sleep(this.backoff(fruitless - 1), signal);
        } catch (err) {
          if (signal.aborted) break;
          failures++;
          this.logger.warn(`${this.kind} informer: ${errMessage(err)}; retrying`);
          await sleep(this.backoff(failures), signal);
        }
      }
    } finally {
      this.closeMessages();
      await reconnects;
    }
  }

  private backoff(failures: number): number {
    const min = this.opts.minBackoffMs ?? 100;
    const max = this.opts.maxBackoffMs ?? 10_000;
    return Math.min(max, min * 2 ** Math.min(failures - 1, 20)) * (0.8 + Math.random() * 0.4);
  }

  /** Lists and reconciles the cache with the result, firing handlers for the differences. */
  private async relist(): Promise<void> {
    // stop() does not wait for a slow list.
    const { items, resourceVersion } = await abortable(this.opts.lister(this.kind), this.abort.signal);
    const revision = Number(resourceVersion);
    if (!Number.isSafeInteger(revision) || revision < 0) {
      throw new ShoalError(`${this.kind} informer: list returned resourceVersion ${String(resourceVersion)}`);
    }
    if (this.abort.signal.aborted) return;
    this.statsValue.lists++;
    const fresh = new Map<string, KubeObject>();
    for (const obj of items) {
      if (this.opts.filter && !this.opts.filter(obj)) continue;
      fresh.set(keyOf(obj), obj);
    }
    for (const [key, old] of [...this.cache]) {
      if (!fresh.has(key)) {
        this.remove(key, old);
        this.emit((h) => h.onDelete?.(old));
      }
    }
    for (const [key, obj] of fresh) {
      const old = this.cache.get(key);
      if (!old) {
        this.put(key, obj, undefined);
        this.emit((h) => h.onAdd?.(obj));
      } else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
        this.put(key, obj, old);
        this.emit((h) => h.onUpdate?.(old, obj));
      }
    }
    this.listRevision = revision;
    this.lastKindRevision = undefined;
    this.setApplied(revision);
    if (!this.syncedFlag) {
      this.syncedFlag = true;
      this.resolveSynced();
    }
  }

  /**
   * Follows the stream from the last applied revision until a gap (→ relist) or stop.
   * Consumer failures (NATS away, consumer lost) are retried from the last applied revision:
   * gap detection makes a resumed consumer as safe as a relist, and far cheaper.
   */
  private async watch(signal: AbortSignal): Promise<WatchEnd> {
    const filter = kindSubjectFilter(this.kind);
    let failures = 0;
    // Each pass creates one consumer; a pass ends on error, reconnect or stop.
    while (!signal.aborted) {
      try {
        const changed = this.connChange.signal;
        const jsm = await abortable(this.opts.nc.jetstreamManager({ timeout: 5000 }), changed);
        const start = await abortable(this.startSequence(jsm, this.applied), changed);
        if (start === 'aged-out') {
          this.statsValue.gaps++;
          this.logger.warn(`${this.kind} informer: revision ${this.applied + 1} has aged out of the stream; relisting`);
          return 'relist';
        }
        if (signal.aborted) break;
        const js = this.opts.nc.jetstream({ timeout: 5000 });
        const consumer = await abortable(
          js.consumers.get(EVENTS_STREAM, { filterSubjects: filter, opt_start_seq: start }),
          changed,
        );
        const messages = await abortable(consumer.consume({ max_messages: this.opts.pullBatch ?? 256 }), changed, (m) => {
          void m.close().catch(noop);
        });
        this.statsValue.consumers++;
        this.messages = messages;
        if (signal.aborted) break;
        for await (const m of messages) {
          failures = 0;
          const outcome = this.handleMessage(m);
          if (outcome === 'relist') return 'relist';
        }
        // The iterator ended: closed by us (stop, reconnect) or by the client on an error.
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        this.logger.warn(`${this.kind} informer: watch: ${errMessage(err)}; resuming from ${this.applied}`);
        // A reconnect cuts the wait short.
        await sleep(this.backoff(failures), AbortSignal.any([signal, this.connChange.signal]));
      } finally {
        this.closeMessages();
      }
    }
    return 'stopped';
  }

  private handleMessage(m: JsMsg): 'ok' | 'relist' {
    let ev: StreamEvent;
    try {
      ev = decodeEvent(m.data);
    } catch (err) {
      const rev = revisionFromHeaders(m.headers);
      this.statsValue.gaps++;
      this.logger.error(`${this.kind} informer: unreadable event (revision ${rev ?? '?'}): ${errMessage(err)}; relisting`);
      return 'relist';
    }
    if (ev.revision <= this.applied) {
      this.statsValue.skipped++;
      return 'ok';
    }
    const expected = this.lastKindRevision;
    const gap = expected !== undefined ? ev.kindPrevRevision !== expected : ev.kindPrevRevision > this.listRevision;
    if (gap || ev.truncated) {
      this.statsValue.gaps++;
      this.logger.warn(
        `${this.kind} informer: ` +
          (ev.truncated
            ? `event ${ev.revision} was truncated`
            : `gap before revision ${ev.revision} (previous ${this.kind} change ${ev.kindPrevRevision}, ` +
              `last seen ${expected ?? `≤ list ${this.listRevision}`})`) +
          '; relisting',
      );
      return 'relist';
    }
    this.apply(ev);
    return 'ok';
  }

  private apply(ev: StreamEvent): void {
    this.statsValue.events++;
    this.lastKindRevision = ev.revision;
    const obj = ev.object;
    const key = keyOf(obj);
    const old = this.cache.get(key);
    const matches = ev.type !== 'DELETED' && (!this.opts.filter || this.opts.filter(obj));
    if (matches) {
      this.put(key, obj, old);
      if (old) this.emit((h) => h.onUpdate?.(old, obj));
      else this.emit((h) => h.onAdd?.(obj));
    } else if (old) {
      this.remove(key, old);
      // A real delete reports the object as deleted; one that left the filter, as it now is.
      this.emit((h) => h.onDelete?.(obj));
    }
    this.setApplied(ev.revision);
  }

  /**
   * The stream sequence to start at so that revision `after + 1` is not missed. The pump
   * publishes revisions in order, once each, usually contiguously, so the message for
   * revision r sits at or after `lastSeq - (lastRevision - r)`: starting there is never late,
   * and revisions ≤ `after` delivered first are skipped.
   */
  private async startSequence(jsm: JetStreamManager, after: number): Promise<number | 'aged-out'> {
    const info = await jsm.streams.info(EVENTS_STREAM);
    const { first_seq: firstSeq, last_seq: lastSeq, messages } = info.state;
    if (messages === 0) return lastSeq + 1;
    const last = await jsm.streams.getMessage(EVENTS_STREAM, { seq: lastSeq });
    const lastRevision = revisionFromHeaders(last.header);
    if (lastRevision === undefined) return firstSeq;
    if (after >= lastRevision) return lastSeq + 1;
    const seq = lastSeq - (lastRevision - (after + 1));
    if (seq >= firstSeq) return seq;
    const first = await jsm.streams.getMessage(EVENTS_STREAM, { seq: firstSeq });
    const firstRevision = revisionFromHeaders(first.header);
    if (firstRevision !== undefined && firstRevision > after + 1) return 'aged-out';
    return firstSeq;
  }

  /** Follows the connection's status: see connChange; on reconnect, replaces the consumer. */
  private async watchReconnects(signal: AbortSignal): Promise<void> {
    const status = this.opts.nc.status();
    // nats.js returns a QueuedIterator: stop() ends the iteration (AsyncIterable has no way).
    const onAbort = (): void => (status as Partial<{ stop(): void }>).stop?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const s of status) {
        if (signal.aborted) break;
        if (s.type !== Events.Disconnect && s.type !== Events.Reconnect) continue;
        const old = this.connChange;
        this.connChange = new AbortController();
        old.abort(new Error('the NATS connection changed'));
        // A consumer that lived through the outage may be gone with the server: replace it.
        if (s.type === Events.Reconnect) this.closeMessages();
      }
    } catch {
      // The connection closed: nothing more to watch.
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private closeMessages(): void {
    const m = this.messages;
    this.messages = undefined;
    if (m) void m.close().catch(noop);
  }

  // ---- cache and indexes ----

  private put(key: string, obj: KubeObject, old: KubeObject | undefined): void {
    if (old) this.unindex(key, old);
    this.cache.set(key, obj);
    const meta = obj.metadata;
    addToIndex(this.byNamespace, meta?.namespace ?? '', key);
    for (const [k, v] of Object.entries(meta?.labels ?? {})) addToIndex(this.byLabel, `${k}=${v}`, key);
  }

  private remove(key: string, old: KubeObject): void {
    this.unindex(key, old);
    this.cache.delete(key);
  }

  private unindex(key: string, old: KubeObject): void {
    const meta = old.metadata;
    removeFromIndex(this.byNamespace, meta?.namespace ?? '', key);
    for (const [k, v] of Object.entries(meta?.labels ?? {})) removeFromIndex(this.byLabel, `${k}=${v}`, key);
  }

  private setApplied(revision: number): void {
    this.applied = revision;
    this.revisionWaiters.advance(revision);
  }

  private emit(fn: (h: EventHandlers) => void): void {
    for (const h of this.handlers) this.call(() => fn(h));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error(`${this.kind} informer: event handler failed: ${errMessage(err)}`);
    }
  }
}
