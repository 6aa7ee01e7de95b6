// The work queue, its rate limiters and the worker loop.
import { describe, expect, it } from 'vitest';
import {
  BucketRateLimiter,
  ItemExponentialRateLimiter,
  TerminalError,
  WorkQueue,
  defaultControllerRateLimiter,
  runWorkers,
  type ReconcileResult,
  type WorkQueueMetrics,
} from '../lib/workqueue.js';
import { eventually } from './harness.js';

const quiet = { error: () => {}, warn: () => {} };
const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('queues a key added while waiting once, in FIFO order', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('c');
    q.add('b');
    expect(q.len()).toBe(3);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(await q.get()).toBe('c');
    expect(q.len()).toBe(0);
  });

  it('re-queues a key added while it is processed, only after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    expect(key).toBe('a');
    q.add('a');
    q.add('a');
    // Not handed out again while processing.
    expect(q.len()).toBe(0);
    const second = q.get(AbortSignal.timeout(50));
    expect(await second).toBeUndefined();
    q.done('a');
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('hands a key added to a waiting worker straight to it', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.add('x');
    expect(await waiting).toBe('x');
    // An aborted waiter does not swallow a key.
    const ac = new AbortController();
    const aborted = q.get(ac.signal);
    ac.abort();
    expect(await aborted).toBeUndefined();
    const live = q.get();
    q.add('y');
    expect(await live).toBe('y');
  });

  it('never gives one key to two workers at once', async () => {
    const q = new WorkQueue();
    const active = new Set<string>();
    let overlaps = 0;
    let calls = 0;
    const ac = new AbortController();
    const workers = runWorkers(
      q,
      8,
      async (key) => {
        calls++;
        if (active.has(key)) overlaps++;
        active.add(key);
        await tick(Math.random() * 3);
        active.delete(key);
      },
      ac.signal,
      { logger: quiet },
    );
    // Bounded: 40 rounds of adds of 5 keys.
    for (let round = 0; round < 40; round++) {
      for (const k of ['a', 'b', 'c', 'd', 'e']) q.add(k);
      await tick(1);
    }
    await eventually(() => q.len() === 0 && active.size === 0, 'queue drained', 5000);
    ac.abort();
    await workers;
    expect(overlaps).toBe(0);
    // De-duplicated: far fewer calls than adds, but at least one per key.
    expect(calls).toBeGreaterThanOrEqual(5);
    expect(calls).toBeLessThan(200);
  });

  it('addAfter delays; the earliest time wins for a key waiting twice', async () => {
    const q = new WorkQueue();
    const t0 = performance.now();
    q.addAfter('late', 80);
    q.addAfter('k', 200);
    q.addAfter('k', 30);
    q.addAfter('k', 300);
    expect(q.delayedLen()).toBe(2);
    expect(q.len()).toBe(0);
    expect(await q.get()).toBe('k');
    const t1 = performance.now() - t0;
    expect(t1).toBeGreaterThanOrEqual(25);
    expect(t1).toBeLessThan(150);
    expect(await q.get()).toBe('late');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
    expect(q.delayedLen()).toBe(0);
  });

  it('keeps many delayed keys in one heap and releases them in time order', async () => {
    const q = new WorkQueue();
    const delays = Array.from({ length: 200 }, (_, i) => ((i * 37) % 200) / 4);
    delays.forEach((d, i) => q.addAfter(`k${i}`, d + 1));
    const order: number[] = [];
    for (let i = 0; i < delays.length; i++) {
      const k = await q.get(AbortSignal.timeout(2000));
      expect(k).toBeDefined();
      order.push(delays[Number(k!.slice(1))]!);
      q.done(k!);
    }
    // Released in non-decreasing delay order (ties in any order).
    for (let i = 1; i < order.length; i++) expect(order[i]!).toBeGreaterThanOrEqual(order[i - 1]!);
  });

  it('backoff grows per item and forget resets it', () => {
    const rl = new ItemExponentialRateLimiter(5, 1000);
    expect([rl.when('a'), rl.when('a'), rl.when('a'), rl.when('a')]).toEqual([5, 10, 20, 40]);
    expect(rl.when('b')).toBe(5);
    expect(rl.numRequeues('a')).toBe(4);
    for (let i = 0; i < 20; i++) rl.when('a');
    expect(rl.when('a')).toBe(1000);
    rl.forget('a');
    expect(rl.numRequeues('a')).toBe(0);
    expect(rl.when('a')).toBe(5);
  });

  it('the global bucket allows a burst, then spaces items at qps', () => {
    let now = 0;
    const rl = new BucketRateLimiter(10, 3, () => now);
    expect([rl.when('a'), rl.when('b'), rl.when('c')]).toEqual([0, 0, 0]);
    expect(rl.when('d')).toBeCloseTo(100);
    expect(rl.when('e')).toBeCloseTo(200);
    now = 1000; // 10 tokens earned, 2 owed, capped at the burst
    expect(rl.when('f')).toBe(0);
  });

  it('addRateLimited takes the larger of the item backoff and the bucket delay', async () => {
    const q = new WorkQueue({ rateLimiter: defaultControllerRateLimiter({ baseDelayMs: 20, maxDelayMs: 1000, qps: 1000, burst: 1000 }) });
    const t0 = performance.now();
    q.addRateLimited('a');
    expect(q.len()).toBe(0);
    expect(q.numRequeues('a')).toBe(1);
    expect(await q.get()).toBe('a');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
    q.done('a');
    q.addRateLimited('a');
    q.addRateLimited('a'); // a third failure while waiting: 80 ms, but the earlier time wins
    expect(q.numRequeues('a')).toBe(3);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);

    // A tight bucket dominates a small item backoff.
    const slow = new WorkQueue({ rateLimiter: defaultControllerRateLimiter({ baseDelayMs: 1, qps: 20, burst: 1 }) });
    const t1 = performance.now();
    for (const k of ['x', 'y', 'z']) slow.addRateLimited(k);
    for (let i = 0; i < 3; i++) slow.done((await slow.get())!);
    // Burst 1, then 50 ms apart: the third arrives after about 100 ms.
    expect(performance.now() - t1).toBeGreaterThanOrEqual(90);
  });

  it('shutDown hands out what is queued, drops delayed keys, then returns undefined', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.addAfter('later', 10);
    const held = await q.get();
    expect(held).toBe('a');
    const drained = q.shutDownWithDrain();
    let drainedDone = false;
    void drained.then(() => (drainedDone = true));
    q.add('c'); // ignored
    expect(await q.get()).toBe('b');
    expect(await q.get()).toBeUndefined();
    await tick(30);
    expect(q.len()).toBe(0);
    expect(q.delayedLen()).toBe(0);
    expect(drainedDone).toBe(false);
    q.done('a');
    q.done('b');
    await drained;
    // Waiters blocked at shutdown are released too.
    const q2 = new WorkQueue();
    const waiting = q2.get();
    q2.shutDown();
    expect(await waiting).toBeUndefined();
  });

  it('reports metrics', async () => {
    const seen = { adds: 0, retries: 0, depth: [] as number[], latency: 0, work: 0 };
    const metrics: WorkQueueMetrics = {
      add: () => seen.adds++,
      retry: () => seen.retries++,
      depth: (d) => seen.depth.push(d),
      queueLatency: () => seen.latency++,
      workDuration: () => seen.work++,
    };
    const q = new WorkQueue({ metrics, rateLimiter: new ItemExponentialRateLimiter(1, 1) });
    q.add('a');
    q.add('a');
    q.addRateLimited('b');
    q.done((await q.get())!);
    q.done((await q.get())!);
    expect(seen.adds).toBe(3);
    expect(seen.retries).toBe(1);
    expect(seen.depth[0]).toBe(1);
    expect(seen.latency).toBe(2);
    expect(seen.work).toBe(2);
  });
});

describe('runWorkers', () => {
  it('forgets on success, retries errors with backoff, drops terminal errors, honours requeueAfter', async () => {
    const q = new WorkQueue({ rateLimiter: new ItemExponentialRateLimiter(5, 100) });
    const calls: Record<string, number> = {};
    const requeues: Record<string, number[]> = {};
    const ac = new AbortController();
    const errors: string[] = [];
    const workers = runWorkers(
      q,
      2,
      (key): Promise<ReconcileResult | void> => {
        calls[key] = (calls[key] ?? 0) + 1;
        (requeues[key] ??= []).push(q.numRequeues(key));
        const n = calls[key];
        if (key === 'flaky' && n < 4) return Promise.reject(new Error('try again'));
        if (key === 'broken') return Promise.reject(new TerminalError('bad spec'));
        if (key === 'poll' && n < 3) return Promise.resolve({ requeueAfter: 10 });
        return Promise.resolve();
      },
      ac.signal,
      { logger: { warn: () => {}, error: (m) => errors.push(m) }, name: 'test' },
    );
    for (const k of ['ok', 'flaky', 'broken', 'poll']) q.add(k);
    await eventually(() => calls.flaky === 4 && calls.poll === 3, 'retries', 5000);
    await tick(50);
    ac.abort();
    await workers;
    expect(calls).toEqual({ ok: 1, flaky: 4, broken: 1, poll: 3 });
    // The failure count grows with each retry and is reset by the success.
    expect(requeues.flaky).toEqual([0, 1, 2, 3]);
    expect(q.numRequeues('flaky')).toBe(0);
    expect(q.numRequeues('broken')).toBe(0);
    expect(requeues.poll).toEqual([0, 0, 0]);
    expect(errors).toEqual([expect.stringContaining('test: reconcile broken failed permanently: bad spec')]);
  });

  it('stops when the queue shuts down, finishing the keys in hand', async () => {
    const q = new WorkQueue();
    const finished: string[] = [];
    const workers = runWorkers(q, 3, async (key) => {
      await tick(20);
      finished.push(key);
    });
    for (const k of ['a', 'b', 'c', 'd']) q.add(k);
    await tick(5);
    await q.shutDownWithDrain();
    await workers;
    expect(finished.sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});
