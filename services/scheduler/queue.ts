// The scheduling queue (kube-scheduler's PriorityQueue): pods waiting to be tried, by key.
//   active         ready to try: higher spec.priority first, then first come first served;
//   backoff        failed recently: back to active when their backoff (1 s doubling to 10 s
//                  by default) has passed;
//   unschedulable  no node fitted: they wait for a cluster change that might help
//                  (moveAllToActive) or, as a fallback, for maxUnschedulableMs to pass.
// A key sits in at most one of them. The queue holds keys only: the pod is read from the
// informer when it is popped, so an attempt always sees the latest object.
// Single-threaded (the event loop): every method is atomic.

export interface SchedulingQueueOptions {
  /** First backoff after a failed attempt (default 1 s), doubling per attempt... */
  initialBackoffMs?: number;
  /** ...up to this (default 10 s). */
  maxBackoffMs?: number;
  /** An unschedulable pod is retried after this long even if nothing changed (default 60 s). */
  maxUnschedulableMs?: number;
  now?: () => number;
}

export interface QueueLengths {
  active: number;
  backoff: number;
  unschedulable: number;
}

/** A binary min-heap by `less`. */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(v: T): void {
    const a = this.items;
    a.push(v);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
      if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
    return top;
  }
}

interface ActiveEntry {
  key: string;
  priority: number;
  seq: number;
}

interface BackoffEntry {
  key: string;
  readyAt: number;
}

export class SchedulingQueue {
  // Heaps delete lazily: an entry counts only while its map still holds the same seq/readyAt.
  private readonly active = new Heap<ActiveEntry>((a, b) => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq));
  private readonly activeKeys = new Map<string, number>();
  private readonly backoffHeap = new Heap<BackoffEntry>((a, b) => a.readyAt < b.readyAt);
  private readonly backoffKeys = new Map<string, number>();
  private readonly unschedulableKeys = new Map<string, number>();
  private readonly priorities = new Map<string, number>();
  private readonly attempts = new Map<string, number>();
  private readonly lastFailure = new Map<string, number>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closed = false;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly now: () => number;

  constructor(opts: SchedulingQueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 60_000;
    this.now = opts.now ?? (() => performance.now());
  }

  lengths(): QueueLengths {
    return { active: this.activeKeys.size, backoff: this.backoffKeys.size, unschedulable: this.unschedulableKeys.size };
  }

  /** Where a key waits, if anywhere. */
  where(key: string): keyof QueueLengths | undefined {
    if (this.activeKeys.has(key)) return 'active';
    if (this.backoffKeys.has(key)) return 'backoff';
    if (this.unschedulableKeys.has(key)) return 'unschedulable';
    return undefined;
  }

  /** A pending pod was added or seen for the first time: queued unless already waiting. */
  add(key: string, priority = 0): void {
    this.priorities.set(key, priority);
    if (this.where(key)) return;
    this.pushActive(key);
  }

  /**
   * A pending pod changed. One parked as unschedulable is tried again if the change could
   * make it fit (`relevant`: its spec or labels changed, not just its status), honouring its
   * backoff; elsewhere the next attempt simply reads the new object.
   */
  update(key: string, priority: number, relevant: boolean): void {
    this.priorities.set(key, priority);
    const w = this.where(key);
    if (!w) this.pushActive(key);
    else if (w === 'unschedulable' && relevant) {
      this.unschedulableKeys.delete(key);
      this.requeue(key);
    }
  }

  /** The pod is gone or no longer pending (bound, deleted, another scheduler's). */
  delete(key: string): void {
    this.activeKeys.delete(key);
    this.backoffKeys.delete(key);
    this.unschedulableKeys.delete(key);
    this.priorities.delete(key);
    this.attempts.delete(key);
    this.lastFailure.delete(key);
  }

  /** The attempt found no node: park it until the cluster changes. A key re-added while it
   * was being tried (the pod changed meanwhile) stays where it is. */
  addUnschedulable(key: string): void {
    this.failed(key);
    if (this.where(key)) return;
    this.unschedulableKeys.set(key, this.now());
  }

  /** The attempt failed for another reason (an API error, a lost bind): retry after backoff. */
  addBackoff(key: string): void {
    this.failed(key);
    if (this.where(key)) return;
    this.pushBackoff(key, this.now() + this.backoffDuration(key));
  }

  /** The pod was bound: forget its failures. */
  done(key: string): void {
    this.attempts.delete(key);
    this.lastFailure.delete(key);
    this.priorities.delete(key);
  }

  /** How many attempts of this pod have failed since it was last bound. */
  failures(key: string): number {
    return this.attempts.get(key) ?? 0;
  }

  /** The cluster changed in a way that may let parked pods fit: try them all again (those
   * still in their backoff window wait it out). Returns how many moved. */
  moveAllToActive(): number {
    const keys = [...this.unschedulableKeys.keys()];
    this.unschedulableKeys.clear();
    for (const key of keys) this.requeue(key);
    return keys.length;
  }

  /** Like moveAllToActive, for the parked pods `wanted` accepts only: a change that can help
   * some pods alone (kube-scheduler's queueing hints). Returns how many moved. */
  moveToActiveIf(wanted: (key: string) => boolean): number {
    let moved = 0;
    for (const key of [...this.unschedulableKeys.keys()]) {
      if (!wanted(key)) continue;
      this.unschedulableKeys.delete(key);
      this.requeue(key);
      moved++;
    }
    return moved;
  }

  /** The periodic fallback: pods parked longer than maxUnschedulableMs are tried again. */
  flushUnschedulableLeftover(): number {
    const t = this.now();
    let moved = 0;
    for (const [key, since] of [...this.unschedulableKeys]) {
      if (t - since < this.maxUnschedulableMs) continue;
      this.unschedulableKeys.delete(key);
      this.requeue(key);
      moved++;
    }
    return moved;
  }

  /** The next key to try (highest priority, oldest first); waits while none is active.
   * Undefined once closed or when `signal` aborts. */
  pop(signal?: AbortSignal): Promise<string | undefined> {
    const key = this.takeActive();
    if (key !== undefined || this.closed || signal?.aborted) return Promise.resolve(key);
    return new Promise((resolve) => {
      const waiter = (k: string | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(k);
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Releases every waiting pop() and stops the backoff timer. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private failed(key: string): void {
    this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
    this.lastFailure.set(key, this.now());
  }

  backoffDuration(key: string): number {
    const n = this.attempts.get(key) ?? 0;
    if (n === 0) return 0;
    return Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(n - 1, 30));
  }

  /** To active, or to backoff while the last failure's backoff has not passed. */
  private requeue(key: string): void {
    const last = this.lastFailure.get(key);
    const readyAt = last === undefined ? 0 : last + this.backoffDuration(key);
    if (readyAt > this.now()) this.pushBackoff(key, readyAt);
    else this.pushActive(key);
  }

  private pushActive(key: string): void {
    if (this.closed) return;
    this.backoffKeys.delete(key);
    this.unschedulableKeys.delete(key);
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(key);
      return;
    }
    const seq = ++this.seq;
    this.activeKeys.set(key, seq);
    this.active.push({ key, priority: this.priorities.get(key) ?? 0, seq });
  }

  private takeActive(): string | undefined {
    for (let e = this.active.pop(); e; e = this.active.pop()) {
      if (this.activeKeys.get(e.key) !== e.seq) continue;
      this.activeKeys.delete(e.key);
      return e.key;
    }
    return undefined;
  }

  private pushBackoff(key: string, readyAt: number): void {
    if (this.closed) return;
    this.backoffKeys.set(key, readyAt);
    this.backoffHeap.push({ key, readyAt });
    this.arm();
  }

  private arm(): void {
    let top = this.backoffHeap.peek();
    while (top && this.backoffKeys.get(top.key) !== top.readyAt) {
      this.backoffHeap.pop();
      top = this.backoffHeap.peek();
    }
    if (!top || this.closed) return;
    if (this.timer && top.readyAt >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = top.readyAt;
    this.timer = setTimeout(() => this.fire(), Math.max(0, top.readyAt - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const t = this.now();
    for (let top = this.backoffHeap.peek(); top && top.readyAt <= t + 1; top = this.backoffHeap.peek()) {
      this.backoffHeap.pop();
      if (this.backoffKeys.get(top.key) !== top.readyAt) continue;
      this.backoffKeys.delete(top.key);
      this.pushActive(top.key);
    }
    this.arm();
  }
}
