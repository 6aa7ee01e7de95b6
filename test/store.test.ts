// The LevelDB store against a real database in a temporary directory.
import { Level } from 'level';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlreadyExistsError, ConflictError, ExpiredError, NotFoundError } from '../lib/errors.js';
import type { KubeObject } from '../lib/kinds.js';
import { openStore, type LevelStore, type StoreOptions } from '../services/api/store.js';
import type { ChangeEvent, ObjectKey } from '../services/api/store-types.js';
import { eventually, tempDir } from './harness.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function freshDir(): Promise<string> {
  const { dir, cleanup } = await tempDir('shoal-store-');
  cleanups.push(cleanup);
  return dir;
}

/** Opens a store; closed after the test (closing twice is harmless). */
async function open(dir: string, opts: Partial<StoreOptions> = {}): Promise<LevelStore> {
  const store = await openStore({ dir, compactIntervalMs: 0, ...opts });
  cleanups.push(() => store.close());
  return store;
}

async function newStore(opts: Partial<StoreOptions> = {}): Promise<LevelStore> {
  return open(await freshDir(), opts);
}

function pod(name: string, namespace = 'default', spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: 'web' } }, spec };
}

function configMap(name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data };
}

function podKey(name: string, namespace = 'default'): ObjectKey {
  return { kind: 'Pod', namespace, name };
}

function rv(obj: KubeObject | undefined): number {
  return Number(obj?.metadata?.resourceVersion);
}

/** The first `n` events of a watch, then stops it. */
async function take(events: AsyncIterable<ChangeEvent>, n: number): Promise<ChangeEvent[]> {
  const out: ChangeEvent[] = [];
  if (n === 0) return out;
  for await (const e of events) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('LevelDB store: objects', () => {
  it('creates, gets, updates and deletes, stamping resourceVersion with the revision', async () => {
    const store = await newStore();
    expect(store.revision).toBe(0);

    const created = await store.create(pod('a', 'default', { image: 'nginx:1' }));
    expect(created.metadata?.resourceVersion).toBe('1');
    expect(store.revision).toBe(1);
    expect(await store.get(podKey('a'))).toEqual(created);

    const updated = await store.update({ ...created, spec: { image: 'nginx:2' } }, 1);
    expect(updated.metadata?.resourceVersion).toBe('2');
    expect((await store.get(podKey('a')))?.spec).toEqual({ image: 'nginx:2' });

    const removed = await store.delete(podKey('a'), 2);
    expect(removed.metadata?.resourceVersion).toBe('3');
    expect(removed.spec).toEqual({ image: 'nginx:2' });
    expect(await store.get(podKey('a'))).toBeUndefined();
    expect(store.revision).toBe(3);

    const events = await store.changesSince(0, 0);
    expect(events.map((e) => [e.revision, e.type])).toEqual([
      [1, 'ADDED'],
      [2, 'MODIFIED'],
      [3, 'DELETED'],
    ]);
    expect(events[0]!.prevObject).toBeUndefined();
    expect(events[1]!.prevObject).toEqual(created);
    expect(events[2]!.object.metadata?.resourceVersion).toBe('3');
    expect(events[2]!.prevObject).toEqual(updated);
  });

  it('rejects a duplicate create and writes to a missing object without using a revision', async () => {
    const store = await newStore();
    await store.create(pod('a'));
    await expect(store.create(pod('a'))).rejects.toThrow(AlreadyExistsError);
    await expect(store.create(pod('a'))).rejects.toThrow('pods "a" already exists');
    await expect(store.update(pod('missing'))).rejects.toThrow(NotFoundError);
    await expect(store.delete(podKey('missing'))).rejects.toThrow('pods "missing" not found');
    // The same name in another namespace is another object.
    await store.create(pod('a', 'other'));
    expect(store.revision).toBe(2);
    expect((await store.changesSince(0, 0)).map((e) => e.revision)).toEqual([1, 2]);
  });

  it('rejects an update or delete carrying a stale resourceVersion, naming the current one', async () => {
    const store = await newStore();
    const v1 = await store.create(pod('a'));
    const v2 = await store.update({ ...v1, spec: { n: 1 } }, rv(v1));
    expect(rv(v2)).toBe(2);

    const stale = store.update({ ...v1, spec: { n: 99 } }, rv(v1));
    await expect(stale).rejects.toThrow(ConflictError);
    await expect(store.update({ ...v1, spec: { n: 99 } }, 1)).rejects.toThrow(
      'Operation cannot be fulfilled on pods "a": the object has been modified; please apply your changes to the ' +
        'latest version and try again (current resourceVersion 2, given 1)',
    );
    await expect(store.delete(podKey('a'), 1)).rejects.toThrow(ConflictError);
    expect(store.revision).toBe(2);
    expect((await store.get(podKey('a')))?.spec).toEqual({ n: 1 });

    // Without a precondition the write goes through.
    expect(rv(await store.update({ ...v1, spec: { n: 3 } }))).toBe(3);
  });

  it('keeps stored state apart from the objects callers hold', async () => {
    const store = await newStore();
    const input = pod('a', 'default', { image: 'nginx' });
    const created = await store.create(input);
    (input.spec as Record<string, unknown>).image = 'mutated-input';
    (created.spec as Record<string, unknown>).image = 'mutated-result';
    const got = await store.get(podKey('a'));
    expect(got?.spec).toEqual({ image: 'nginx' });
    (got!.metadata!.labels as Record<string, string>).app = 'mutated-get';
    expect((await store.get(podKey('a')))?.metadata?.labels).toEqual({ app: 'web' });
    expect(input.metadata?.resourceVersion).toBeUndefined();
  });

  it('rejects keys that would break the key layout', async () => {
    const store = await newStore();
    await expect(store.create(pod('a/b'))).rejects.toThrow("must not contain '/'");
    await expect(store.create({ kind: 'Pod', metadata: { namespace: 'x' } })).rejects.toThrow('metadata.name');
    expect(store.revision).toBe(0);
  });
});

describe('LevelDB store: revisions and group commit', () => {
  it('gives every write exactly one revision, contiguous from 1', async () => {
    const store = await newStore();
    await store.create(pod('a'));
    await store.create(configMap('c'));
    await expect(store.create(pod('a'))).rejects.toThrow(AlreadyExistsError);
    const a = await store.update(pod('a', 'default', { x: 1 }));
    await expect(store.update(pod('a'), 1)).rejects.toThrow(ConflictError);
    await store.delete({ kind: 'ConfigMap', namespace: 'default', name: 'c' });
    await store.delete(podKey('a'), rv(a));
    expect(store.revision).toBe(5);
    const events = await store.changesSince(0, 0);
    expect(events.map((e) => e.revision)).toEqual(range(1, 5));
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'ADDED', 'MODIFIED', 'DELETED', 'DELETED']);
    expect(events.map((e) => rv(e.object))).toEqual(range(1, 5));
    // A page at a time.
    expect((await store.changesSince(1, 2)).map((e) => e.revision)).toEqual([2, 3]);
    expect(await store.changesSince(5, 10)).toEqual([]);
  });

  it('commits 200 concurrent creates, each with its own revision, in a few batches', async () => {
    const store = await newStore();
    const batches = vi.spyOn(Level.prototype, 'batch');
    const results = await Promise.all(range(1, 200).map((i) => store.create(pod(`p${i}`))));
    // Group commit: one fsynced batch for all 200, not one each.
    expect(batches).toHaveBeenCalledTimes(1);
    batches.mockRestore();
    const revisions = results.map(rv).sort((x, y) => x - y);
    expect(revisions).toEqual(range(1, 200));
    expect(store.revision).toBe(200);
    // Writes issued together commit in call order.
    expect(results.map(rv)).toEqual(range(1, 200));
    const listed = await store.list('Pod');
    expect(listed.items).toHaveLength(200);
    expect(listed.revision).toBe(200);
  });

  it('caps the size of a batch', async () => {
    const store = await newStore({ maxBatchOps: 50 });
    const batches = vi.spyOn(Level.prototype, 'batch');
    const results = await Promise.all(range(1, 120).map((i) => store.create(pod(`p${i}`))));
    // One chained batch per commit; its length is the number of operations it wrote.
    expect(batches.mock.results.map((r) => (r.value as { length: number }).length)).toEqual([
      // Each op writes the object and its log entry, plus m/revision and m/kindrev/Pod once.
      50 * 2 + 2,
      50 * 2 + 2,
      20 * 2 + 2,
    ]);
    expect(results.map(rv)).toEqual(range(1, 120));
  });

  it('applies later ops of a batch on top of earlier ones, rejecting without a revision', async () => {
    const store = await newStore();
    const base = await store.create(pod('a'));
    // All issued in one tick, so they share a batch.
    const outcomes = await Promise.allSettled([
      store.create(pod('b')),
      store.create(pod('b')),
      store.update({ ...base, spec: { v: 1 } }, rv(base)),
      store.update({ ...base, spec: { v: 2 } }, rv(base)),
      store.delete(podKey('b')),
      store.delete(podKey('b')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'rejected']);
    const reasons = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []));
    expect(reasons[0]).toBeInstanceOf(AlreadyExistsError);
    expect(reasons[1]).toBeInstanceOf(ConflictError);
    expect(reasons[1]!.message).toContain('current resourceVersion 3, given 1');
    expect(reasons[2]).toBeInstanceOf(NotFoundError);
    expect(store.revision).toBe(4);
    const events = await store.changesSince(1, 0);
    expect(events.map((e) => [e.revision, e.type, e.object.metadata?.name])).toEqual([
      [2, 'ADDED', 'b'],
      [3, 'MODIFIED', 'a'],
      [4, 'DELETED', 'b'],
    ]);
    expect(events[2]!.prevObject?.metadata?.resourceVersion).toBe('2');
  });

  it('loses no update when 50 writers read-modify-write one object with retries', async () => {
    const store = await newStore();
    await store.create(configMap('counter', { n: '0' }));
    let conflicts = 0;
    const increment = async (): Promise<void> => {
      for (;;) {
        const cur = (await store.get({ kind: 'ConfigMap', namespace: 'default', name: 'counter' }))!;
        const data = cur.data as Record<string, string>;
        try {
          await store.update({ ...cur, data: { n: String(Number(data.n) + 1) } }, rv(cur));
          return;
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
          conflicts++;
        }
      }
    };
    await Promise.all(range(1, 50).map(() => increment()));
    const final = await store.get({ kind: 'ConfigMap', namespace: 'default', name: 'counter' });
    expect(final?.data).toEqual({ n: '50' });
    // One create plus exactly one revision per successful increment: conflicts used none.
    expect(store.revision).toBe(51);
    expect(conflicts).toBeGreaterThan(0);
  });

  it('keeps objects, revisions and the per-kind chain across a reopen', async () => {
    const dir = await freshDir();
    const first = await open(dir, { compactAfterMs: 0 });
    await first.create(pod('a'));
    await first.create(configMap('c'));
    await first.update(pod('a', 'default', { v: 2 }), 1);
    await first.create(pod('b'));
    await first.compact();
    expect(first.compactedRevision).toBe(3);
    await first.close();
    await expect(first.create(pod('late'))).rejects.toThrow('closed');

    const second = await open(dir);
    expect(second.revision).toBe(4);
    expect(second.compactedRevision).toBe(3);
    expect((await second.get(podKey('a')))?.spec).toEqual({ v: 2 });
    expect(rv(await second.get(podKey('a')))).toBe(3);
    await expect(second.changesSince(2, 0)).rejects.toThrow(ExpiredError);

    const next = await second.create(configMap('d'));
    expect(rv(next)).toBe(5);
    const events = await second.changesSince(3, 0);
    expect(events.map((e) => [e.revision, e.kindPrevRevision])).toEqual([
      [4, 3], // pod b after pod a's update
      [5, 2], // configmap d after configmap c, recovered from disk
    ]);
  });

  it('flushes writes queued before close', async () => {
    const store = await newStore();
    const writes = range(1, 20).map((i) => store.create(pod(`p${i}`)));
    const closing = store.close();
    const results = await Promise.all(writes);
    await closing;
    expect(results.map(rv)).toEqual(range(1, 20));
  });

  it('reports a non-zero size on disk', async () => {
    const store = await newStore();
    await store.create(pod('a', 'default', { payload: 'x'.repeat(10_000) }));
    expect(await store.sizeOnDisk()).toBeGreaterThan(10_000);
  });
});

describe('LevelDB store: list', () => {
  it('lists by namespace, in pages, with a filter, at a revision', async () => {
    const store = await newStore();
    for (const ns of ['alpha', 'beta']) {
      for (const name of ['a', 'b', 'c', 'd', 'e']) await store.create(pod(name, ns, { n: name }));
    }
    await store.create(configMap('not-a-pod'));
    await store.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });

    const all = await store.list('Pod');
    expect(all.revision).toBe(12);
    expect(all.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual([
      'alpha/a', 'alpha/b', 'alpha/c', 'alpha/d', 'alpha/e', 'beta/a', 'beta/b', 'beta/c', 'beta/d', 'beta/e',
    ]);
    expect(all.continueAfter).toBeUndefined();

    const beta = await store.list('Pod', { namespace: 'beta' });
    expect(beta.items.map((o) => o.metadata?.name)).toEqual(['a', 'b', 'c', 'd', 'e']);

    // Pages of four, across namespaces.
    const seen: string[] = [];
    let after: string | undefined;
    const remainings: (number | undefined)[] = [];
    for (;;) {
      const page = await store.list('Pod', { limit: 4, after });
      seen.push(...page.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`));
      remainings.push(page.remaining);
      if (!page.continueAfter) break;
      expect(page.items).toHaveLength(4);
      after = page.continueAfter;
    }
    expect(seen).toEqual(all.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`));
    expect(remainings).toEqual([6, 2, undefined]);

    // Pages within one namespace; `after` carries the namespace.
    const p1 = await store.list('Pod', { namespace: 'alpha', limit: 2 });
    expect(p1.items.map((o) => o.metadata?.name)).toEqual(['a', 'b']);
    expect(p1.continueAfter).toBe('alpha/b');
    const p2 = await store.list('Pod', { namespace: 'alpha', limit: 2, after: p1.continueAfter });
    expect(p2.items.map((o) => o.metadata?.name)).toEqual(['c', 'd']);
    const p3 = await store.list('Pod', { namespace: 'alpha', limit: 2, after: p2.continueAfter });
    expect(p3.items.map((o) => o.metadata?.name)).toEqual(['e']);
    expect(p3.continueAfter).toBeUndefined();

    // The filter applies before the limit counts.
    const filtered = await store.list('Pod', {
      limit: 2,
      filter: (o) => ['c', 'e'].includes((o.spec as { n: string }).n),
    });
    expect(filtered.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual(['alpha/c', 'alpha/e']);
    expect(filtered.continueAfter).toBe('alpha/e');

    // Cluster-scoped kinds use namespace "".
    const nodes = await store.list('Node');
    expect(nodes.items.map((o) => o.metadata?.name)).toEqual(['n1']);
    expect(await store.get({ kind: 'Node', namespace: '', name: 'n1' })).toBeDefined();
    expect((await store.list('Deployment')).items).toEqual([]);
  });

  it('never returns an item newer than the revision it reports, while writes go on', async () => {
    const store = await newStore();
    let done = false;
    const writer = (async () => {
      for (let b = 0; b < 60; b++) await Promise.all(range(1, 20).map((i) => store.create(pod(`p${b}-${i}`))));
      done = true;
    })();
    // A commit is visible in LevelDB a moment before its batch callback runs: lists issued
    // all the time are what catch a revision read apart from the items.
    let lists = 0;
    while (!done) {
      const pages = await Promise.all(range(1, 4).map(() => store.list('Pod')));
      for (const { items, revision } of pages) {
        // Every write is a create, so the items present at revision R are exactly R pods.
        expect(items).toHaveLength(revision);
        for (const item of items) expect(rv(item)).toBeLessThanOrEqual(revision);
        lists++;
      }
    }
    await writer;
    expect(lists).toBeGreaterThan(10);
  });
});

describe('LevelDB store: watch', () => {
  it('delivers every event from 0, in order, exactly once, while writes continue', async () => {
    const store = await newStore();
    await Promise.all(range(1, 51).map((i) => store.create(pod(`seed${i}`))));

    // Concurrently: 100 sequential updates, 100 creates in bursts of 10, 50 deletes.
    const total = 51 + 100 + 100 + 50;
    const writes = Promise.all([
      (async () => {
        for (let i = 0; i < 100; i++) await store.update(pod('seed1', 'default', { i }));
      })(),
      (async () => {
        for (let b = 0; b < 10; b++) await Promise.all(range(1, 10).map((i) => store.create(pod(`new${b}-${i}`))));
      })(),
      (async () => {
        for (let i = 2; i <= 51; i++) await store.delete(podKey(`seed${i}`));
      })(),
    ]);

    const ac = new AbortController();
    const events = await take(store.watch(0, ac.signal), total);
    await writes;
    expect(events.map((e) => e.revision)).toEqual(range(1, total));
    expect(store.revision).toBe(total);

    // Replaying the events yields exactly what a list returns.
    const state = new Map<string, KubeObject>();
    for (const e of events) {
      const key = `${e.object.metadata?.namespace}/${e.object.metadata?.name}`;
      if (e.type === 'DELETED') {
        expect(state.has(key)).toBe(true);
        state.delete(key);
      } else {
        expect(state.has(key)).toBe(e.type === 'MODIFIED');
        state.set(key, e.object);
      }
    }
    const listed = await store.list('Pod');
    expect([...state.values()].sort((x, y) => rv(x) - rv(y))).toEqual(listed.items.sort((x, y) => rv(x) - rv(y)));
  });

  it('starts after a middle revision and continues with live events', async () => {
    const store = await newStore();
    for (let i = 1; i <= 10; i++) await store.create(pod(`p${i}`));
    const ac = new AbortController();
    const watching = take(store.watch(6, ac.signal), 7);
    await store.create(pod('p11'));
    await store.update(pod('p11', 'default', { v: 2 }));
    await store.delete(podKey('p1'));
    const events = await watching;
    expect(events.map((e) => e.revision)).toEqual(range(7, 13));
    expect(events.slice(4).map((e) => [e.type, e.object.metadata?.name])).toEqual([
      ['ADDED', 'p11'],
      ['MODIFIED', 'p11'],
      ['DELETED', 'p1'],
    ]);
    // A watch from the current revision sees only what comes next.
    const fromNow = take(store.watch(store.revision, ac.signal), 1);
    await store.create(pod('p12'));
    expect((await fromNow).map((e) => e.revision)).toEqual([14]);
  });

  it('lets a slow watcher whose buffer overflows catch up from the log', async () => {
    const store = await newStore({ watchBufferLimit: 4 });
    const ac = new AbortController();
    const it = store.watch(0, ac.signal)[Symbol.asyncIterator]();
    await store.create(pod('first'));
    const first = await it.next();
    expect(first.value).toMatchObject({ revision: 1 });
    // The watcher is caught up and paused; 60 events overflow its buffer of 4.
    for (let b = 0; b < 6; b++) await Promise.all(range(1, 10).map((i) => store.create(pod(`p${b}-${i}`))));
    const rest: number[] = [];
    while (rest.length < 60) {
      const r = await it.next();
      if (r.done) throw new Error('watch ended early');
      rest.push(r.value.revision);
    }
    expect(rest).toEqual(range(2, 61));
    // And it is live again afterwards.
    const next = it.next();
    await store.create(pod('last'));
    expect((await next).value).toMatchObject({ revision: 62, type: 'ADDED' });
    await it.return?.();
  });

  it('gives each watcher its own copy of an event', async () => {
    const store = await newStore();
    const ac = new AbortController();
    const w1 = take(store.watch(0, ac.signal), 1);
    const w2 = take(store.watch(0, ac.signal), 1);
    await store.create(pod('a'));
    const [[e1], [e2]] = await Promise.all([w1, w2]);
    e1!.object.metadata!.name = 'mutated';
    expect(e2!.object.metadata?.name).toBe('a');
    expect((await store.changesSince(0, 1))[0]!.object.metadata?.name).toBe('a');
  });

  it('ends when the signal aborts or the store closes', async () => {
    const store = await newStore();
    await store.create(pod('a'));
    const ac = new AbortController();
    const seen: number[] = [];
    const aborted = (async () => {
      for await (const e of store.watch(0, ac.signal)) {
        seen.push(e.revision);
        if (e.revision === 1) setTimeout(() => ac.abort(), 20);
      }
    })();
    await aborted;
    expect(seen).toEqual([1]);

    const other = new AbortController();
    const closing = (async () => {
      const out: number[] = [];
      for await (const e of store.watch(1, other.signal)) out.push(e.revision);
      return out;
    })();
    await store.create(pod('b'));
    await store.close();
    // The write acknowledged before close is delivered; then the watch ends.
    expect(await closing).toEqual([2]);
  });
});

describe('LevelDB store: compaction', () => {
  it('compacts old entries and expires watches from before the compacted revision', async () => {
    const store = await newStore({ compactAfterMs: 0 });
    for (let i = 1; i <= 10; i++) await store.create(pod(`p${i}`));
    await store.compact();
    // Everything but the newest entry is older than a window of 0 ms.
    expect(store.compactedRevision).toBe(9);

    const ac = new AbortController();
    await expect(take(store.watch(5, ac.signal), 1)).rejects.toThrow(ExpiredError);
    await expect(take(store.watch(5, ac.signal), 1)).rejects.toThrow(
      'too old resource version: 5 (current compacted revision 9); relist',
    );
    await expect(store.changesSince(0, 0)).rejects.toThrow(ExpiredError);

    // From the compacted revision itself, the log is still complete.
    expect((await store.changesSince(9, 0)).map((e) => e.revision)).toEqual([10]);
    const w = take(store.watch(9, ac.signal), 2);
    await store.create(pod('p11'));
    expect((await w).map((e) => e.revision)).toEqual([10, 11]);
    // Objects are untouched.
    expect((await store.list('Pod')).items).toHaveLength(11);
  });

  it('keeps recent entries but at most maxLogEntries of them', async () => {
    const store = await newStore({ compactAfterMs: 60_000, maxLogEntries: 3 });
    for (let i = 1; i <= 10; i++) await store.create(pod(`p${i}`));
    await store.compact();
    expect(store.compactedRevision).toBe(7);
    expect((await store.changesSince(7, 0)).map((e) => e.revision)).toEqual([8, 9, 10]);

    const roomy = await newStore({ compactAfterMs: 60_000 });
    for (let i = 1; i <= 5; i++) await roomy.create(pod(`p${i}`));
    await roomy.compact();
    expect(roomy.compactedRevision).toBe(0);
    expect(await roomy.changesSince(0, 0)).toHaveLength(5);
  });

  it('compacts in the background on its timer', async () => {
    const store = await newStore({ compactAfterMs: 0, compactIntervalMs: 20 });
    for (let i = 1; i <= 5; i++) await store.create(pod(`p${i}`));
    await eventually(() => store.compactedRevision === 4, 'background compaction');
  });
});

describe('LevelDB store: kindPrevRevision', () => {
  it('chains each event to the previous change of the same kind', async () => {
    const store = await newStore();
    await store.create(pod('a')); // 1
    await store.create(configMap('c')); // 2
    await store.create(configMap('d')); // 3
    await store.update(pod('a', 'default', { v: 2 })); // 4
    await Promise.all([store.create(pod('b')), store.create(configMap('e')), store.create(pod('c'))]); // 5, 6, 7
    await store.delete({ kind: 'ConfigMap', namespace: 'default', name: 'c' }); // 8
    const events = await store.changesSince(0, 0);
    expect(events.map((e) => [e.revision, e.object.kind, e.kindPrevRevision])).toEqual([
      [1, 'Pod', 0],
      [2, 'ConfigMap', 0],
      [3, 'ConfigMap', 2],
      [4, 'Pod', 1],
      [5, 'Pod', 4],
      [6, 'ConfigMap', 3],
      [7, 'Pod', 5],
      [8, 'ConfigMap', 6],
    ]);
    // The invariant, stated generally: each kind's events form an unbroken chain.
    const last = new Map<string, number>();
    for (const e of events) {
      expect(e.kindPrevRevision).toBe(last.get(e.object.kind!) ?? 0);
      last.set(e.object.kind!, e.revision);
    }
  });
});
