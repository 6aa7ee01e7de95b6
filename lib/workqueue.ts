// A de-duplicating, rate-limited work queue and its worker loop, after client-go's workqueue
// and controller-runtime's reconcile.Result. Event handlers add keys ("namespace/name"); the
// workers call a level-triggered reconcile(key) and the loop owns the retry policy.

/** How long to wait before an item is retried. Called from the worker loop only. */
export interface RateLimiter<T = string> {
  /** The delay before `item` may be processed again; counts a failure. */
  when(item: T): number;
  /** Clears the failure count of `item` (it succeeded or was given up on). */
  forget(item: T): void;
  /** How many times `item` has failed since it was last forgotten. */
  numRequeues(item: T): number;
}

/** Per-item exponential backoff: base, 2·base, 4·base, ... up to max. */
export class ItemExponentialRateLimiter<T = string> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  constructor(
    private readonly baseDelayMs = 5,
    private readonly maxDelayMs = 1_000_000,
  ) {}
  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    // 2^n overflows to Infinity long before it matters; the min caps it.
    return Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs);
  }
  forget(item: T): void {
    this.failures.delete(item);
  }
  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** A global token bucket (qps, burst) shared by all items: bounds the overall retry rate. */
export class BucketRateLimiter<T = string> implements RateLimiter<T> {
  private tokens: number;
  private last: number;
  constructor(
    private readonly qps = 10,
    private readonly burst = 100,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }
  when(_item: T): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    // Reserve a token; a negative balance is the wait until it is earned (Go's rate.Reserve).
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }
  forget(_item: T): void {}
  numRequeues(_item: T): number {
    return 0;
  }
}

/** The longest delay of several limiters (each still counts the failure). */
export class MaxOfRateLimiter<T = string> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }
  when(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }
  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }
  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

export interface RateLimiterOptions {
  /** First per-item retry delay (default 5 ms), doubled on every failure... */
  baseDelayMs?: number;
  /** ...up to this (default 1000 s). */
  maxDelayMs?: number;
  /** Global retry rate (default 10 per second)... */
  qps?: number;
  /** ...with this burst (default 100). */
  burst?: number;
}

/** client-go's DefaultControllerRateLimiter: max(per-item exponential, global bucket). */
export function defaultControllerRateLimiter<T = string>(opts: RateLimiterOptions = {}): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialRateLimiter<T>(opts.baseDelayMs ?? 5, opts.maxDelayMs ?? 1_000_000),
    new BucketRateLimiter<T>(opts.qps ?? 10, opts.burst ?? 100),
  );
}

/** Optional observation hooks (e.g. wired to prom-client by a service). Called synchronously;
 * they must be cheap and must not throw. */
export interface WorkQueueMetrics {
  /** A key was added (whether or not it was already queued). */
  add?(): void;
  /** The number of keys waiting to be handed out changed. */
  depth?(depth: number): void;
  /** A key was re-added through addRateLimited. */
  retry?(): void;
  /** A key waited this long between being queued and being handed to a worker. */
  queueLatency?(ms: number): void;
  /** A worker held a key this long (get → done). */
  workDuration?(ms: number): void;
}

export interface WorkQueueOptions<T = string> {
  rateLimiter?: RateLimiter<T>;
  metrics?: WorkQueueMetrics;
  /** For tests: the clock (ms) used for delayed items. */
  now?: () => number;
}

// A minimal FIFO with amortised O(1) shift.
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(v: T): void {
    this.items.push(v);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const v = this.items[this.head]!;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

interface Delayed<T> {
  item: T;
  readyAt: number;
  index: number;
}

// A binary min-heap on readyAt that tracks positions, so an item waiting once can be moved
// earlier in place (client-go keeps one waiting entry per item, at its earliest time).
class DelayHeap<T> {
  readonly heap: Delayed<T>[] = [];
  readonly byItem = new Map<T, Delayed<T>>();
  get size(): number {
    return this.heap.length;
  }
  peek(): Delayed<T> | undefined {
    return this.heap[0];
  }
  /** Inserts, or moves an existing entry earlier. Returns true if the top changed. */
  upsert(item: T, readyAt: number): boolean {
    const before = this.heap[0];
    const existing = this.byItem.get(item);
    if (existing) {
      if (readyAt >= existing.readyAt) return false;
      existing.readyAt = readyAt;
      this.up(existing.index);
    } else {
      const e: Delayed<T> = { item, readyAt, index: this.heap.length };
      this.heap.push(e);
      this.byItem.set(item, e);
      this.up(e.index);
    }
    return this.heap[0] !== before || this.heap[0]?.readyAt !== before?.readyAt;
  }
  pop(): Delayed<T> | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const last = this.heap.pop()!;
    if (last !== top) {
      this.heap[0] = last;
      last.index = 0;
      this.down(0);
    }
    this.byItem.delete(top.item);
    return top;
  }
  clear(): void {
    this.heap.length = 0;
    this.byItem.clear();
  }
  private swap(i: number, j: number): void {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    this.heap[i] = b;
    this.heap[j] = a;
    a.index = j;
    b.index = i;
  }
  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.heap[p]!.readyAt <= this.heap[i]!.readyAt) break;
      this.swap(i, p);
      i = p;
    }
  }
  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.heap[l]!.readyAt < this.heap[m]!.readyAt) m = l;
      if (r < n && this.heap[r]!.readyAt < this.heap[m]!.readyAt) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

interface Waiter<T> {
  /** Resolves the waiting get() with `item` (or undefined at shutdown); false if it was
   * aborted meanwhile and took nothing. */
  deliver(item: T | undefined): boolean;
}

/**
 * A de-duplicating work queue (client-go semantics):
 * - a key added while it waits is queued once;
 * - a key is never handed to two workers at once: one added while being processed is queued
 *   again when its worker calls done();
 * - delayed keys (addAfter, addRateLimited) wait in one timer-driven heap.
 * Single-threaded (Node's event loop), so every method is atomic. Every key handed out by
 * get() must be given back with done(), whatever the outcome.
 */
export class WorkQueue<T = string> {
  private readonly queue = new Fifo<T>();
  /** Keys that need processing: queued, or re-added while processing. */
  private readonly dirty = new Set<T>();
  private readonly processing = new Map<T, number>();
  private readonly queuedAt = new Map<T, number>();
  private readonly waiters = new Fifo<Waiter<T>>();
  private readonly delayed = new DelayHeap<T>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private shuttingDown = false;
  private readonly drained: (() => void)[] = [];
  private readonly rateLimiter: RateLimiter<T>;
  private readonly metrics: WorkQueueMetrics;
  private readonly now: () => number;

  constructor(opts: WorkQueueOptions<T> = {}) {
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>();
    this.metrics = opts.metrics ?? {};
    this.now = opts.now ?? (() => performance.now());
  }

  /** Queues `item` unless it is already queued (or shutting down). */
  add(item: T): void {
    if (this.shuttingDown) return;
    this.metrics.add?.();
    if (this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.enqueue(item);
  }

  /** Queues `item` after `ms`; a key already waiting keeps the earlier of the two times. */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDown) return;
    if (!(ms > 0)) {
      this.add(item);
      return;
    }
    const readyAt = this.now() + ms;
    this.delayed.upsert(item, readyAt);
    this.arm();
  }

  /** Queues `item` after the rate limiter's delay (a failure is counted). */
  addRateLimited(item: T): void {
    if (this.shuttingDown) return;
    this.metrics.retry?.();
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Resets `item`'s failure count: call when it succeeded or will not be retried. */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** Keys waiting to be handed out (not the delayed ones, not the ones being processed). */
  len(): number {
    return this.queue.length;
  }

  /** Keys waiting for their delay to pass. */
  delayedLen(): number {
    return this.delayed.size;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * The next key, marked as being processed; waits while the queue is empty. Undefined once
   * the queue is shut down and empty, or when `signal` aborts.
   */
  get(signal?: AbortSignal): Promise<T | undefined> {
    const item = this.take();
    if (item !== undefined) return Promise.resolve(item);
    if (this.shuttingDown || signal?.aborted) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve) => {
      let active = true;
      const onAbort = (): void => {
        active = false; // enqueue() skips it and hands the key to the next waiter
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push({
        deliver: (v) => {
          if (!active) return false;
          active = false;
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
          return true;
        },
      });
    });
  }

  /** Marks `item` as no longer processed; queues it again if it was added meanwhile. */
  done(item: T): void {
    const started = this.processing.get(item);
    if (started === undefined) return;
    this.processing.delete(item);
    this.metrics.workDuration?.(this.now() - started);
    if (this.dirty.has(item)) this.enqueue(item);
    if (this.processing.size === 0) this.notifyDrained();
  }

  /** Stops accepting keys and drops delayed ones; keys already queued are still handed out,
   * then get() returns undefined. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.delayed.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    // Waiters exist only while the queue is empty: release them all.
    for (let w = this.waiters.shift(); w; w = this.waiters.shift()) w.deliver(undefined);
    if (this.processing.size === 0) this.notifyDrained();
  }

  /** shutDown(), then waits until every key handed out has been given back with done(). */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  private notifyDrained(): void {
    for (const r of this.drained.splice(0)) r();
  }

  private enqueue(item: T): void {
    // Hand straight to a waiting worker if there is one (skipping aborted waiters).
    for (let w = this.waiters.shift(); w; w = this.waiters.shift()) {
      if (w.deliver(item)) {
        this.dirty.delete(item);
        this.processing.set(item, this.now());
        this.metrics.queueLatency?.(0);
        return;
      }
    }
    this.queue.push(item);
    this.queuedAt.set(item, this.now());
    this.metrics.depth?.(this.queue.length);
  }

  private take(): T | undefined {
    const item = this.queue.shift();
    if (item === undefined) return undefined;
    this.metrics.depth?.(this.queue.length);
    const t = this.now();
    this.metrics.queueLatency?.(t - (this.queuedAt.get(item) ?? t));
    this.queuedAt.delete(item);
    this.dirty.delete(item);
    this.processing.set(item, t);
    return item;
  }

  private arm(): void {
    const top = this.delayed.peek();
    if (!top) return;
    if (this.timer && top.readyAt >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = top.readyAt;
    this.timer = setTimeout(() => this.fire(), Math.max(0, top.readyAt - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const t = this.now();
    // Bounded by the heap's size: each pass removes one entry.
    for (let top = this.delayed.peek(); top && top.readyAt <= t + 1; top = this.delayed.peek()) {
      this.delayed.pop();
      this.add(top.item);
    }
    this.arm();
  }
}

/** An error that retrying cannot fix (controller-runtime's TerminalError): the worker loop
 * logs it and forgets the key instead of requeueing it. */
export class TerminalError extends Error {
  override name = 'TerminalError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What a reconcile asks of the loop besides success or failure (controller-runtime Result). */
export interface ReconcileResult {
  /** Process the key again after this many ms (polling); the failure count is reset. */
  requeueAfter?: number;
  /** Process the key again, rate-limited, without treating it as an error. */
  requeue?: boolean;
}

export type Reconcile<T = string> = (key: T) => Promise<ReconcileResult | void>;

export interface Logger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
}

export interface RunWorkersOptions {
  /** Where errors are reported (default console). */
  logger?: Logger;
  /** A name for log lines (e.g. the controller). */
  name?: string;
}

/**
 * Runs `n` workers that take keys from `queue` and call `reconcile` until the queue is shut
 * down and empty or `signal` aborts; resolves when every worker has stopped (a reconcile in
 * progress is awaited, not interrupted: give reconcile the same signal to stop it early).
 * The loop owns retry: success forgets the key; a thrown error re-adds it rate-limited; a
 * TerminalError forgets it and logs; `{ requeueAfter }` forgets it and re-adds it after that
 * delay; `{ requeue: true }` re-adds it rate-limited. A key is never reconciled by two workers
 * at once.
 */
export async function runWorkers<T = string>(
  queue: WorkQueue<T>,
  n: number,
  reconcile: Reconcile<T>,
  signal?: AbortSignal,
  opts: RunWorkersOptions = {},
): Promise<void> {
  const logger = opts.logger ?? console;
  const prefix = opts.name ? `${opts.name}: ` : '';
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get(signal);
      if (key === undefined) return;
      try {
        const result = await reconcile(key);
        if (result?.requeueAfter !== undefined && result.requeueAfter > 0) {
          queue.forget(key);
          queue.addAfter(key, result.requeueAfter);
        } else if (result?.requeue) {
          queue.addRateLimited(key);
        } else {
          queue.forget(key);
        }
      } catch (err) {
        if (err instanceof TerminalError) {
          queue.forget(key);
          logger.error(`${prefix}reconcile ${String(key)} failed permanently: ${err.message}`);
        } else {
          const attempt = queue.numRequeues(key) + 1;
          queue.addRateLimited(key);
          const message = err instanceof Error ? err.message : String(err);
          logger.warn(`${prefix}reconcile ${String(key)} failed (attempt ${attempt}), will retry: ${message}`);
        }
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, n) }, () => worker()));
}
