// The LevelDB-backed Store: one global revision, a change log, group-committed fsynced
// batches, watch = backlog from the log then live fan-out, and time/size-bounded compaction.
//
// Layout (keys are utf8, values JSON or decimal strings):
//   o/<kind>/<namespace>/<name>  the current object (namespace "" for cluster-scoped kinds)
//   l/<revision, 16 digits>      one change-log entry per revision: ChangeEvent plus `ts`
//   m/revision                   the latest committed revision
//   m/compacted                  the highest revision removed from the log
//   m/kindrev/<kind>             the latest revision that changed an object of <kind>
//
// Only the committer writes objects, log entries, m/revision and m/kindrev/*, one LevelDB
// batch per group of operations; only compaction writes m/compacted and removes log entries.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import {
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  InvalidError,
  NotFoundError,
  UnavailableError,
} from '../../lib/errors.js';
import { findKind, type KubeObject } from '../../lib/kinds.js';
import { jsonClone } from '../../lib/objects.js';
import type { ChangeEvent, ListOptions, ListResult, ObjectKey, Store } from './store-types.js';

export interface StoreOptions {
  /** The LevelDB directory; created if missing. */
  dir: string;
  /** Log entries older than this are compacted (default 5 minutes). */
  compactAfterMs?: number;
  /** At most this many log entries are kept, whatever their age (default 100 000). */
  maxLogEntries?: number;
  /** How often compaction runs in the background (default 60 s; 0 disables the timer). */
  compactIntervalMs?: number;
  /** A watcher whose undelivered live events exceed this falls back to reading the log
   * (default 10 000). */
  watchBufferLimit?: number;
  /** Operations committed in one batch at most (default 1000). */
  maxBatchOps?: number;
  /** Called with an error from a background compaction pass (default: console.error). */
  onError?: (err: unknown) => void;
  /** Compaction keeps every entry after this revision (a consumer such as the NATS pump
   * has not taken them yet), unless maxLogEntries forces it. */
  compactFloor?: () => number;
}

/** A Store on LevelDB, plus `compact()` so tests and admin tools can force a pass. */
export interface LevelStore extends Store {
  /** Runs one compaction pass now (joins the one in progress, if any). */
  compact(): Promise<void>;
}

const DEFAULT_COMPACT_AFTER_MS = 5 * 60_000;
const DEFAULT_MAX_LOG_ENTRIES = 100_000;
const DEFAULT_COMPACT_INTERVAL_MS = 60_000;
const DEFAULT_WATCH_BUFFER_LIMIT = 10_000;
const DEFAULT_MAX_BATCH_OPS = 1000;
/** Log entries a lagging watcher reads per round trip. */
const WATCH_PAGE = 1000;

const META_REVISION = 'm/revision';
const META_COMPACTED = 'm/compacted';
const META_KINDREV = 'm/kindrev/';
const LOG_PREFIX = 'l/';
const OBJ_PREFIX = 'o/';

/** The smallest string greater than every string starting with `prefix` (ASCII prefixes). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function logKey(revision: number): string {
  return LOG_PREFIX + String(revision).padStart(16, '0');
}

function objectKey(key: ObjectKey): string {
  return `${OBJ_PREFIX}${key.kind}/${key.namespace}/${key.name}`;
}

/** "pods", as Kubernetes names a resource in its error messages. */
function resourceName(kind: string): string {
  return findKind(kind)?.plural ?? kind.toLowerCase();
}

function checkKey(key: ObjectKey): void {
  const problems: { field: string; message: string }[] = [];
  if (!key.kind) problems.push({ field: 'kind', message: 'Required value' });
  if (!key.name) problems.push({ field: 'metadata.name', message: 'Required value' });
  // "/" separates key segments: one inside a segment would let a prefix scan of one
  // namespace (or kind) see another's objects.
  for (const [field, value] of [
    ['kind', key.kind],
    ['metadata.namespace', key.namespace],
    ['metadata.name', key.name],
  ] as const) {
    if (value.includes('/')) problems.push({ field, message: `Invalid value: "${value}": must not contain '/'` });
  }
  if (problems.length > 0) throw new InvalidError(problems);
}

function keyOf(obj: KubeObject): ObjectKey {
  const key = { kind: obj.kind ?? '', namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' };
  checkKey(key);
  return key;
}

function checkRevision(after: number): void {
  if (!Number.isSafeInteger(after) || after < 0) {
    throw new InvalidError([{ field: 'resourceVersion', message: `Invalid value: ${after}: must be a non-negative integer` }]);
  }
}

/** A deep copy in exactly the form a reader gets back (a JSON round trip), detached from
 * the caller, who may mutate the original while the write waits for its batch. */
function detach(obj: KubeObject): KubeObject {
  return jsonClone(obj);
}

/** `obj` with the store's resourceVersion; shares all but metadata with `obj`, which is
 * fine as stored state is never mutated and leaves the store only as copies. */
function stamp(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

interface LogEntry extends ChangeEvent {
  /** Commit time (ms since the epoch), for time-based compaction. */
  ts: number;
}

/** JSON.stringify(entry) for a LogEntry in that key order, from the objects' JSON, which the
 * committer has at hand: a log entry costs no second serialization of its objects. */
function logEntryJson(ts: number, event: ChangeEvent, objectJson: string, prevJson: string | undefined): string {
  const prev = prevJson === undefined ? '' : `,"prevObject":${prevJson}`;
  return `{"ts":${ts},"revision":${event.revision},"type":"${event.type}","object":${objectJson}${prev},"kindPrevRevision":${event.kindPrevRevision}}`;
}

function parseLogEntry(raw: string): ChangeEvent {
  const { ts: _ts, ...event } = JSON.parse(raw) as LogEntry;
  return event;
}

type Op =
  | { type: 'create'; key: ObjectKey; obj: KubeObject }
  | { type: 'update'; key: ObjectKey; obj: KubeObject; expected: number | undefined }
  | { type: 'delete'; key: ObjectKey; expected: number | undefined; final?: KubeObject };

interface PendingOp {
  op: Op;
  resolve: (obj: KubeObject) => void;
  reject: (err: unknown) => void;
}

/** A FIFO of events with O(1) shift. */
class EventQueue {
  private items: ChangeEvent[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  peek(): ChangeEvent | undefined {
    return this.items[this.head];
  }
  shift(): ChangeEvent | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  push(event: ChangeEvent): void {
    this.items.push(event);
  }
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

interface Watcher {
  /** Live events not yet delivered; always contiguous while `lagging` is false. */
  buffer: EventQueue;
  /** The buffer overflowed: live events are dropped and the watcher reads from the log until
   * it catches up with the committed revision. */
  lagging: boolean;
  /** Set while the watcher waits for an event, an abort or the store closing. */
  wake: (() => void) | undefined;
}

type DB = Level<string, string>;
type Write = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

class LevelDBStore implements LevelStore {
  private rev = 0;
  private compacted = 0;
  private readonly kindRev = new Map<string, number>();
  private readonly queue: PendingOp[] = [];
  private committing: Promise<void> | undefined;
  private compacting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** No more writes are accepted (close() was called). */
  private closed = false;
  /** Pending writes are flushed; watchers end. */
  private stopped = false;
  private readonly watchers = new Set<Watcher>();
  private timer: NodeJS.Timeout | undefined;

  private readonly compactAfterMs: number;
  private readonly maxLogEntries: number;
  private readonly watchBufferLimit: number;
  private readonly maxBatchOps: number;
  private readonly onError: (err: unknown) => void;
  private readonly compactFloor: () => number;

  constructor(
    private readonly db: DB,
    private readonly dir: string,
    opts: StoreOptions,
  ) {
    this.compactAfterMs = opts.compactAfterMs ?? DEFAULT_COMPACT_AFTER_MS;
    this.maxLogEntries = Math.max(1, opts.maxLogEntries ?? DEFAULT_MAX_LOG_ENTRIES);
    this.watchBufferLimit = Math.max(1, opts.watchBufferLimit ?? DEFAULT_WATCH_BUFFER_LIMIT);
    this.maxBatchOps = Math.max(1, opts.maxBatchOps ?? DEFAULT_MAX_BATCH_OPS);
    this.onError = opts.onError ?? ((err) => console.error('shoal store: background compaction failed:', err));
    this.compactFloor = opts.compactFloor ?? (() => Infinity);
    const interval = opts.compactIntervalMs ?? DEFAULT_COMPACT_INTERVAL_MS;
    if (interval > 0) {
      this.timer = setInterval(() => {
        this.compact().catch((err: unknown) => {
          if (!this.closed) this.onError(err);
        });
      }, interval);
      this.timer.unref();
    }
  }

  /** Reads the revision counters back; finishes a compaction a crash interrupted. */
  async recover(): Promise<void> {
    const rev = (await this.db.get(META_REVISION)) as string | undefined;
    const compacted = (await this.db.get(META_COMPACTED)) as string | undefined;
    this.rev = rev === undefined ? 0 : Number(rev);
    this.compacted = compacted === undefined ? 0 : Number(compacted);
    for await (const [k, v] of this.db.iterator({ gt: META_KINDREV, lt: prefixEnd(META_KINDREV) })) {
      this.kindRev.set(k.slice(META_KINDREV.length), Number(v));
    }
    // Compaction records m/compacted before removing entries, so leftovers may remain.
    if (this.compacted > 0) await this.db.clear({ gt: LOG_PREFIX, lte: logKey(this.compacted) });
  }

  get revision(): number {
    return this.rev;
  }

  kindRevision(kind: string): number {
    return this.kindRev.get(kind) ?? 0;
  }

  get compactedRevision(): number {
    return this.compacted;
  }

  async get(key: ObjectKey): Promise<KubeObject | undefined> {
    checkKey(key);
    const raw = (await this.db.get(objectKey(key))) as string | undefined;
    return raw === undefined ? undefined : (JSON.parse(raw) as KubeObject);
  }

  async list(kind: string, opts: ListOptions = {}): Promise<ListResult> {
    if (!kind || kind.includes('/')) throw new InvalidError([{ field: 'kind', message: `Invalid value: "${kind}"` }]);
    const ns = opts.namespace ?? '';
    if (ns.includes('/')) throw new InvalidError([{ field: 'metadata.namespace', message: `Invalid value: "${ns}"` }]);
    const kindPrefix = `${OBJ_PREFIX}${kind}/`;
    const prefix = ns ? `${kindPrefix}${ns}/` : kindPrefix;
    let gt = prefix;
    if (opts.after !== undefined && kindPrefix + opts.after > gt) gt = kindPrefix + opts.after;
    const lt = prefixEnd(prefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const filter = opts.filter;

    // A commit becomes visible in LevelDB before the committer's callback advances
    // this.rev, so read the revision from the same snapshot as the objects.
    const snapshot = this.db.snapshot();
    try {
      const rawRev = await this.db.get<string, string | undefined>(META_REVISION, { snapshot });
      const revision = rawRev === undefined ? 0 : Number(rawRev);
      const items: KubeObject[] = [];
      let lastKey: string | undefined;
      let more = false;
      const it = this.db.iterator({ gt, lt, snapshot });
      try {
        scan: for (;;) {
          const entries = await it.nextv(256);
          if (entries.length === 0) break;
          for (const [k, v] of entries) {
            const obj = JSON.parse(v) as KubeObject;
            if (filter && !filter(obj)) continue;
            if (items.length === limit) {
              more = true;
              break scan;
            }
            items.push(obj);
            lastKey = k;
          }
        }
      } finally {
        await it.close();
      }
      const result: ListResult = { items, revision };
      if (more && lastKey !== undefined) {
        result.continueAfter = lastKey.slice(kindPrefix.length);
        // Counting keys is cheap; counting filter matches would mean parsing the rest.
        if (!filter) {
          let remaining = 0;
          const keys = this.db.keys({ gt: lastKey, lt, snapshot });
          try {
            for (;;) {
              const batch = await keys.nextv(1024);
              if (batch.length === 0) break;
              remaining += batch.length;
            }
          } finally {
            await keys.close();
          }
          result.remaining = remaining;
        }
      }
      return result;
    } finally {
      await snapshot.close();
    }
  }

  create(obj: KubeObject): Promise<KubeObject> {
    return this.enqueue(() => ({ type: 'create', key: keyOf(obj), obj: detach(obj) }));
  }

  update(obj: KubeObject, expectedRevision?: number): Promise<KubeObject> {
    return this.enqueue(() => ({ type: 'update', key: keyOf(obj), obj: detach(obj), expected: expectedRevision }));
  }

  delete(key: ObjectKey, expectedRevision?: number, final?: KubeObject): Promise<KubeObject> {
    return this.enqueue(() => {
      checkKey(key);
      return { type: 'delete', key: { ...key }, expected: expectedRevision, final: final && detach(final) };
    });
  }

  async changesSince(after: number, limit: number): Promise<ChangeEvent[]> {
    checkRevision(after);
    this.checkNotExpired(after);
    const upTo = this.rev;
    if (after >= upTo) return [];
    const events: ChangeEvent[] = [];
    const max = limit > 0 ? limit : Infinity;
    const it = this.db.iterator({ gt: logKey(after), lte: logKey(upTo) });
    try {
      while (events.length < max) {
        const entries = await it.nextv(Math.min(max - events.length, 256));
        if (entries.length === 0) break;
        for (const [, v] of entries) events.push(parseLogEntry(v));
      }
    } finally {
      await it.close();
    }
    // Compaction may have removed entries after the check above.
    if (events[0]?.revision !== after + 1) throw this.expired(after);
    return events;
  }

  async *watch(after: number, signal: AbortSignal): AsyncGenerator<ChangeEvent> {
    checkRevision(after);
    if (signal.aborted || this.stopped) return;
    this.checkNotExpired(after);
    // Subscribe before reading the backlog: an event committed meanwhile is in the buffer,
    // and `cursor` skips whatever the log already delivered.
    const w: Watcher = { buffer: new EventQueue(), lagging: false, wake: undefined };
    this.watchers.add(w);
    const onAbort = (): void => w.wake?.();
    signal.addEventListener('abort', onAbort);
    let cursor = after;
    try {
      for (;;) {
        if (signal.aborted) return;
        let next = w.buffer.peek();
        while (next && next.revision <= cursor) {
          w.buffer.shift();
          next = w.buffer.peek();
        }
        if (next && next.revision === cursor + 1) {
          w.buffer.shift();
          cursor = next.revision;
          // Every watcher shares the fanned-out event; each gets its own copy.
          yield jsonClone(next);
          continue;
        }
        // Closed: what was committed before close and is buffered has been delivered.
        if (this.stopped) return;
        if (cursor < this.rev) {
          // Backlog, or a gap left by an overflowed buffer: read the log.
          let page: ChangeEvent[];
          try {
            page = await this.changesSince(cursor, WATCH_PAGE);
          } catch (err) {
            if (this.stopped) return;
            throw err;
          }
          for (const event of page) {
            if (signal.aborted || this.stopped) return;
            if (event.revision !== cursor + 1) continue;
            cursor = event.revision;
            yield event;
          }
          continue;
        }
        // Caught up with every committed revision: live events are contiguous from here.
        w.lagging = false;
        await new Promise<void>((resolve) => {
          w.wake = resolve;
        });
        w.wake = undefined;
      }
    } finally {
      this.watchers.delete(w);
      signal.removeEventListener('abort', onAbort);
    }
  }

  async sizeOnDisk(): Promise<number> {
    let total = 0;
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        try {
          if (entry.isDirectory()) await walk(path);
          else if (entry.isFile()) total += (await stat(path)).size;
        } catch (err) {
          // LevelDB removes obsolete files as it compacts; a vanished file weighs nothing.
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
    };
    await walk(this.dir);
    return total;
  }

  compact(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.compacting ??= this.compactOnce().finally(() => {
      this.compacting = undefined;
    });
    return this.compacting;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    // Writes queued before close() are committed and acknowledged.
    while (this.committing) await this.committing;
    await this.compacting?.catch(() => undefined);
    this.stopped = true;
    for (const w of this.watchers) w.wake?.();
    await this.db.close();
  }

  private checkNotExpired(after: number): void {
    if (after < this.compacted) throw this.expired(after);
  }

  private expired(after: number): ExpiredError {
    return new ExpiredError(
      `too old resource version: ${after} (current compacted revision ${this.compacted}); relist`,
    );
  }

  // ---- writes: one committer, group commit ----

  /** Runs synchronously up to the queue push, so writes issued in one tick share a batch
   * and are committed in call order. */
  private async enqueue(build: () => Op): Promise<KubeObject> {
    if (this.closed) throw new UnavailableError('the store is closed');
    const op = build();
    return new Promise<KubeObject>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.committing ??= this.runCommitter();
    });
  }

  private async runCommitter(): Promise<void> {
    try {
      // Let every write issued before the event loop turns join the first batch: the
      // requests that arrived in one read of the sockets share one fsync, where a microtask
      // would commit the first of them alone and hold the rest for a second fsync.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        await this.commitBatch(this.queue.splice(0, this.maxBatchOps));
      }
    } finally {
      this.committing = undefined;
    }
  }

  /** Applies each op in order against current state plus the earlier ops of the batch,
   * writes the accepted ones as one fsynced batch, then settles every op. Never throws. */
  private async commitBatch(batch: PendingOp[]): Promise<void> {
    const settle: (() => void)[] = [];
    try {
      const dbKeys = [...new Set(batch.map((p) => objectKey(p.op.key)))];
      const raws = (await this.db.getMany(dbKeys)) as (string | undefined)[];
      // Each key's object as of the ops so far, with its JSON (what the log stores as a later
      // op's prevObject).
      const state = new Map<string, { obj: KubeObject; json: string } | undefined>();
      dbKeys.forEach((k, i) => {
        const raw = raws[i];
        state.set(k, raw === undefined ? undefined : { obj: JSON.parse(raw) as KubeObject, json: raw });
      });

      const ts = Date.now();
      let rev = this.rev;
      const kindRevs = new Map<string, number>();
      const writes: Write[] = [];
      const events: ChangeEvent[] = [];
      for (const p of batch) {
        const { op } = p;
        const k = objectKey(op.key);
        const currentEntry = state.get(k);
        const current = currentEntry?.obj;
        const what = `${resourceName(op.key.kind)} "${op.key.name}"`;
        let error: Error | undefined;
        if (op.type === 'create') {
          if (current) error = new AlreadyExistsError(`${what} already exists`);
        } else if (!current) {
          error = new NotFoundError(`${what} not found`);
        } else if (op.expected !== undefined && String(op.expected) !== current.metadata?.resourceVersion) {
          error = new ConflictError(
            `Operation cannot be fulfilled on ${what}: the object has been modified; please apply your changes ` +
              `to the latest version and try again (current resourceVersion ${current.metadata?.resourceVersion ?? '<none>'}, ` +
              `given ${op.expected})`,
          );
        }
        if (error) {
          const err = error;
          settle.push(() => p.reject(err));
          continue;
        }

        rev++;
        const kindPrevRevision = kindRevs.get(op.key.kind) ?? this.kindRev.get(op.key.kind) ?? 0;
        kindRevs.set(op.key.kind, rev);
        let event: ChangeEvent;
        let json: string;
        if (op.type === 'delete') {
          const removed = stamp(op.final ?? current!, rev);
          json = JSON.stringify(removed);
          state.set(k, undefined);
          writes.push({ type: 'del', key: k });
          event = { revision: rev, type: 'DELETED', object: removed, prevObject: current, kindPrevRevision };
        } else {
          const stored = stamp(op.obj, rev);
          json = JSON.stringify(stored);
          state.set(k, { obj: stored, json });
          writes.push({ type: 'put', key: k, value: json });
          event =
            op.type === 'create'
              ? { revision: rev, type: 'ADDED', object: stored, kindPrevRevision }
              : { revision: rev, type: 'MODIFIED', object: stored, prevObject: current, kindPrevRevision };
        }
        writes.push({ type: 'put', key: logKey(rev), value: logEntryJson(ts, event, json, currentEntry?.json) });
        events.push(event);
        const result = event.object;
        settle.push(() => p.resolve(jsonClone(result)));
      }

      if (events.length > 0) {
        writes.push({ type: 'put', key: META_REVISION, value: String(rev) });
        for (const [kind, r] of kindRevs) writes.push({ type: 'put', key: META_KINDREV + kind, value: String(r) });
        await this.writeBatch(writes);
        // Durable: publish. Advancing the revision and fanning out happen in one tick, so a
        // watcher that sees `revision` also has every event up to it buffered (or not lagging).
        this.rev = rev;
        for (const [kind, r] of kindRevs) this.kindRev.set(kind, r);
        this.fanOut(events);
      }
    } catch (err) {
      // Nothing was written: every op fails with the cause, including rejections that may
      // have depended on an earlier op of this batch.
      for (const p of batch) p.reject(err);
      return;
    }
    for (const s of settle) s();
  }

  /** Writes `writes` as one atomic, fsynced LevelDB batch. Through a chained batch: the
   * array form of db.batch() spends several times more main-thread time per operation. */
  private async writeBatch(writes: Write[]): Promise<void> {
    const batch = this.db.batch();
    try {
      for (const w of writes) {
        if (w.type === 'put') batch.put(w.key, w.value);
        else batch.del(w.key);
      }
    } catch (err) {
      await batch.close();
      throw err;
    }
    await batch.write({ sync: true });
  }

  private fanOut(events: ChangeEvent[]): void {
    for (const w of this.watchers) {
      if (!w.lagging) {
        for (const event of events) {
          if (w.buffer.length >= this.watchBufferLimit) {
            // A slow consumer: stop buffering for it; it catches up from the log.
            w.buffer.clear();
            w.lagging = true;
            break;
          }
          w.buffer.push(event);
        }
      }
      w.wake?.();
    }
  }

  // ---- compaction ----

  private async compactOnce(): Promise<void> {
    const rev = this.rev;
    // Keep the newest entry, so a watch from the current revision stays valid.
    const ceiling = rev - 1;
    let upTo = Math.max(this.compacted, rev - this.maxLogEntries);
    if (upTo < ceiling) {
      const cutoff = Date.now() - this.compactAfterMs;
      const it = this.db.iterator({ gt: logKey(upTo), lte: logKey(ceiling) });
      try {
        scan: for (;;) {
          const entries = await it.nextv(256);
          if (entries.length === 0) break;
          for (const [, v] of entries) {
            const entry = JSON.parse(v) as LogEntry;
            if (entry.ts > cutoff) break scan;
            upTo = entry.revision;
          }
        }
      } finally {
        await it.close();
      }
    }
    // What a consumer has not taken yet stays, unless the log would outgrow its cap.
    upTo = Math.max(Math.min(upTo, ceiling, this.compactFloor()), rev - this.maxLogEntries);
    if (upTo <= this.compacted) return;
    // Advance first: new watches expire at once, and readers already iterating detect the
    // gap. m/compacted is written before the entries go, so a crash leaves only leftovers
    // that recover() clears.
    this.compacted = upTo;
    await this.db.put(META_COMPACTED, String(upTo), { sync: true });
    await this.db.clear({ gt: LOG_PREFIX, lte: logKey(upTo) });
  }
}

/** Opens (or creates) the store in `opts.dir` and recovers its revisions. One process at a
 * time: LevelDB locks the directory. */
export async function openStore(opts: StoreOptions): Promise<LevelStore> {
  const db: DB = new Level<string, string>(opts.dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  await db.open();
  const store = new LevelDBStore(db, opts.dir, opts);
  try {
    await store.recover();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
