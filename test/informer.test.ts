// Informers against a real nats-server, a real LevelDB store and the real pump between them;
// then end to end through the API server, with the ShoalClient that production informers list with.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { EVENTS_STREAM, encodeEvent } from '../lib/events-stream.js';
import { Informer, type InformerOptions } from '../lib/informer.js';
import type { KubeObject } from '../lib/kinds.js';
import { openStore, type LevelStore } from '../services/api/store.js';
import { startPump, type Pump } from '../services/api/pump.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShoalClient, loadClientConfig, retryOnConflict } from '../lib/client.js';
import { ConflictError, NotFoundError, UnauthenticatedError, UnavailableError } from '../lib/errors.js';
import { TEST_TOKEN, eventually, freePort, startNats, startTestCluster, tempDir, type NatsServer, type TestCluster } from './harness.js';
import { sampleObject } from './fixtures.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

function cm(name: string, ns = 'default', labels: Record<string, string> = {}, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data };
}

function secret(name: string, ns = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, data: {} };
}

const rv = (o: KubeObject): number => Number(o.metadata?.resourceVersion);

interface Seen {
  type: 'add' | 'update' | 'delete';
  name: string;
  revision: number;
}

/** Records handler calls in order. */
function record(inf: Informer): Seen[] {
  const seen: Seen[] = [];
  inf.addEventHandler({
    onAdd: (o) => seen.push({ type: 'add', name: o.metadata!.name!, revision: rv(o) }),
    onUpdate: (_old, o) => seen.push({ type: 'update', name: o.metadata!.name!, revision: rv(o) }),
    onDelete: (o) => seen.push({ type: 'delete', name: o.metadata!.name!, revision: rv(o) }),
  });
  return seen;
}

/** The store's objects of a kind, keyed as the informer keys them, with their revisions. */
async function storeContents(store: LevelStore, kind: string): Promise<Map<string, number>> {
  const { items } = await store.list(kind);
  return new Map(items.map((o) => [`${o.metadata!.namespace}/${o.metadata!.name}`, rv(o)]));
}

function cacheContents(inf: Informer): Map<string, number> {
  return new Map(inf.list().map((o) => [`${o.metadata!.namespace}/${o.metadata!.name}`, rv(o)]));
}

describe('informer', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let store: LevelStore;
  let pump: Pump;
  let cleanupDir: () => Promise<void>;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });
  beforeEach(async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(EVENTS_STREAM).catch(() => false);
    const t = await tempDir();
    cleanupDir = t.cleanup;
    store = await openStore({ dir: t.dir, compactIntervalMs: 0 });
    pump = await startPump({ store, nc, logger: quiet, minBackoffMs: 20, maxBackoffMs: 500 });
    await pump.ready;
  });
  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s();
    await pump.stop();
    await store.close();
    await cleanupDir();
  });

  function informer(kind: string, extra: Partial<InformerOptions> = {}, conn = nc): Informer {
    const inf = new Informer({
      kind,
      nc: conn,
      lister: async (k) => {
        const { items, revision } = await store.list(k);
        return { items, resourceVersion: String(revision) };
      },
      logger: quiet,
      minBackoffMs: 20,
      maxBackoffMs: 500,
      ...extra,
    });
    stops.push(() => inf.stop());
    return inf;
  }

  it('lists, then sees every create, update and delete in order, with indexes', async () => {
    await store.create(cm('pre', 'ns1', { app: 'web' }));
    await store.create(secret('other'));
    const inf = informer('configmaps');
    expect(inf.kind).toBe('ConfigMap');
    const seen = record(inf);
    inf.start();
    await inf.synced;
    expect(inf.hasSynced).toBe(true);
    expect(inf.lastSyncRevision).toBe(2);
    expect(seen).toEqual([{ type: 'add', name: 'pre', revision: 1 }]);

    const a = await store.create(cm('a', 'ns1', { app: 'web', tier: 'front' }));
    const b = await store.create(cm('b', 'ns2', { app: 'web' }));
    await store.create(secret('s2'));
    const a2 = await store.update({ ...a, metadata: { ...a.metadata, labels: { app: 'api' } }, data: { k: 'v' } });
    const bDel = await store.delete({ kind: 'ConfigMap', namespace: 'ns2', name: 'b' });
    await inf.waitForRevision(store.revision, AbortSignal.timeout(10_000));

    expect(seen.slice(1)).toEqual([
      { type: 'add', name: 'a', revision: rv(a) },
      { type: 'add', name: 'b', revision: rv(b) },
      { type: 'update', name: 'a', revision: rv(a2) },
      { type: 'delete', name: 'b', revision: rv(bDel) },
    ]);
    expect(inf.get('ns1', 'a')?.data).toEqual({ k: 'v' });
    expect(inf.get('ns2', 'b')).toBeUndefined();
    expect(inf.list().map((o) => o.metadata?.name).sort()).toEqual(['a', 'pre']);
    expect(inf.list({ namespace: 'ns2' })).toEqual([]);
    expect(inf.list({ labelSelector: { app: 'web' } }).map((o) => o.metadata?.name)).toEqual(['pre']);
    expect(inf.list({ labelSelector: { app: 'api' } }).map((o) => o.metadata?.name)).toEqual(['a']);
    expect(inf.list({ labelSelector: { tier: 'front' } })).toEqual([]); // the old label left the index
    expect(inf.list({ labelSelector: 'app in (web,api)' }).map((o) => o.metadata?.name).sort()).toEqual(['a', 'pre']);
    expect(inf.list({ namespace: 'ns1', labelSelector: (l) => l.app !== 'web' }).map((o) => o.metadata?.name)).toEqual(['a']);
    expect(cacheContents(inf)).toEqual(await storeContents(store, 'ConfigMap'));
    expect(inf.stats.gaps).toBe(0);
    expect(inf.stats.lists).toBe(1);

    // A late handler gets the cache replayed as adds.
    const late: string[] = [];
    inf.onAdd((o) => late.push(o.metadata!.name!));
    expect(late.sort()).toEqual(['a', 'pre']);
  });

  it('applies a client-side filter: objects that stop matching are deleted', async () => {
    const inf = informer('ConfigMap', { filter: (o) => o.metadata?.labels?.node === 'n1' });
    const seen = record(inf);
    inf.start();
    await inf.synced;
    const x = await store.create(cm('x', 'default', { node: 'n2' }));
    const x2 = await store.update({ ...x, metadata: { ...x.metadata, labels: { node: 'n1' } } });
    const x3 = await store.update({ ...x2, metadata: { ...x2.metadata, labels: { node: 'n3' } } });
    await inf.waitForRevision(rv(x3), AbortSignal.timeout(10_000));
    expect(seen).toEqual([
      { type: 'add', name: 'x', revision: rv(x2) },
      { type: 'delete', name: 'x', revision: rv(x3) },
    ]);
    expect(inf.size).toBe(0);
  });

  it('1,000 writes reach 5 informers: every revision once and in order', async () => {
    const infs = Array.from({ length: 5 }, () => informer('ConfigMap'));
    const seen = infs.map(record);
    for (const inf of infs) inf.start();
    await Promise.all(infs.map((i) => i.synced));

    // Creates, updates and deletes of ConfigMaps, with Secrets interleaved; concurrent
    // writes in groups so the store commits them in batches.
    const expected: number[] = [];
    const live: KubeObject[] = [];
    let n = 0;
    for (let group = 0; group < 20; group++) {
      const ops: { keep: boolean; done: Promise<KubeObject> }[] = [];
      for (let i = 0; i < 50; i++, n++) {
        if (n % 10 === 9) {
          ops.push({ keep: false, done: store.create(secret(`s-${n}`)) });
        } else if (n % 10 === 3 && live.length > 0) {
          const o = live.shift()!;
          ops.push({ keep: false, done: store.delete({ kind: 'ConfigMap', namespace: o.metadata!.namespace!, name: o.metadata!.name! }) });
        } else if (n % 10 === 5 && live.length > 0) {
          const o = live.shift()!;
          ops.push({ keep: true, done: store.update({ ...o, data: { n: String(n) } }) });
        } else {
          ops.push({ keep: true, done: store.create(cm(`cm-${n}`, `ns-${n % 3}`)) });
        }
      }
      for (const op of ops) {
        const r = await op.done;
        if (r.kind !== 'ConfigMap') continue;
        expected.push(rv(r));
        if (op.keep) live.push(r);
      }
    }
    expect(store.revision).toBe(1000);
    expected.sort((x, y) => x - y);
    const lastCm = expected[expected.length - 1]!;
    await Promise.all(infs.map((i) => i.waitForRevision(lastCm, AbortSignal.timeout(30_000))));
    const truth = await storeContents(store, 'ConfigMap');
    for (let i = 0; i < infs.length; i++) {
      expect(seen[i]!.map((s) => s.revision)).toEqual(expected);
      expect(infs[i]!.stats.gaps).toBe(0);
      expect(cacheContents(infs[i]!)).toEqual(truth);
    }
  });

  it('loses no event when nats-server is killed and restarted during writes', async () => {
    // Informers on their own connections, as services would have.
    const conns = await Promise.all(
      [0, 1].map(() => connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 })),
    );
    stops.push(async () => {
      for (const c of conns) await c.close();
    });
    const infs = conns.map((c) => informer('ConfigMap', {}, c));
    const seen = infs.map(record);
    for (const inf of infs) inf.start();
    await Promise.all(infs.map((i) => i.synced));

    // Two outages while writes go on: the store keeps committing, the pump and the informers
    // catch up once nats-server is back (same port, same storage).
    const written: number[] = [];
    let outages = 0;
    for (let i = 0; i < 600; i++) {
      const o = await store.create(cm(`k-${i}`));
      written.push(rv(o));
      if (i === 150 || i === 400) {
        await nats.kill();
        outages++;
      }
      if (i === 250 || i === 450) {
        await new Promise((r) => setTimeout(r, 400));
        await nats.restart();
      }
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    expect(outages).toBe(2);
    const last = written[written.length - 1]!;
    await Promise.all(infs.map((i) => i.waitForRevision(last, AbortSignal.timeout(45_000))));
    const truth = await storeContents(store, 'ConfigMap');
    for (let i = 0; i < infs.length; i++) {
      const inf = infs[i]!;
      expect(cacheContents(inf)).toEqual(truth);
      // No relist stood in for lost events: every revision arrived, once, in order.
      expect(inf.stats.gaps).toBe(0);
      expect(seen[i]!.map((s) => s.revision)).toEqual(written);
    }
  }, 90_000);

  it('relists on a forced gap and converges', async () => {
    const inf = informer('ConfigMap');
    const seen = record(inf);
    inf.start();
    await inf.synced;
    const a = await store.create(cm('a'));
    await inf.waitForRevision(rv(a), AbortSignal.timeout(10_000));

    // Stop the pump, commit two changes, and publish only the second: the stream skips one.
    await pump.stop();
    const b = await store.create(cm('b'));
    const c = await store.create(cm('c'));
    const [, evC] = await store.changesSince(rv(a), 10);
    expect(evC?.revision).toBe(rv(c));
    expect(evC?.kindPrevRevision).toBe(rv(b));
    const enc = encodeEvent(evC!);
    await nc.jetstream().publish(enc.subject, enc.data, { msgID: enc.msgID, headers: enc.headers });

    await inf.waitForRevision(rv(c), AbortSignal.timeout(10_000));
    await eventually(() => inf.stats.lists === 2, 'a relist');
    expect(inf.stats.gaps).toBe(1);
    // The relist brought both; no event is reported twice.
    expect(seen.map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect(cacheContents(inf)).toEqual(await storeContents(store, 'ConfigMap'));

    // The pump resumes after the stream's tail and the informer carries on.
    pump = await startPump({ store, nc, logger: quiet, minBackoffMs: 20, maxBackoffMs: 500 });
    const d = await store.create(cm('d'));
    await inf.waitForRevision(rv(d), AbortSignal.timeout(10_000));
    expect(seen.map((s) => s.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(inf.stats.gaps).toBe(1);
  });

  it('relists on an event truncated for size, and gets the whole object', async () => {
    const inf = informer('ConfigMap');
    const seen = record(inf);
    inf.start();
    await inf.synced;
    // The harness' nats-server takes 8 MB payloads: 3 MiB fits, 9 MiB is truncated.
    const big = 'x'.repeat(3 * 1024 * 1024);
    const a = await store.create(cm('big', 'default', {}, { v: big }));
    const a2 = await store.update({ ...a, data: { v: big, w: big, u: big } });
    await inf.waitForRevision(rv(a2), AbortSignal.timeout(10_000));
    expect(inf.stats.gaps).toBe(1);
    expect(inf.get('default', 'big')?.data).toEqual({ v: big, w: big, u: big });
    expect(seen.map((s) => [s.type, s.revision])).toEqual([
      ['add', rv(a)],
      ['update', rv(a2)],
    ]);
  });

  it('starts right after the list revision in a long stream', async () => {
    for (let i = 0; i < 300; i++) await store.create(i % 2 ? cm(`c-${i}`) : secret(`s-${i}`));
    await pump.waitForRevision(300, AbortSignal.timeout(10_000));
    const inf = informer('ConfigMap');
    const seen = record(inf);
    inf.start();
    await inf.synced;
    expect(seen).toHaveLength(150);
    const x = await store.create(cm('x'));
    await inf.waitForRevision(rv(x), AbortSignal.timeout(10_000));
    expect(seen.slice(150)).toEqual([{ type: 'add', name: 'x', revision: rv(x) }]);
    expect(inf.stats.consumers).toBe(1);
    expect(inf.stats.gaps).toBe(0);
    // The consumer started at the list revision's sequence: nothing replayed.
    expect(inf.stats.skipped).toBe(0);
  });
});

describe('informer and client through the API server', () => {
  let cluster: TestCluster;
  let nc: NatsConnection;

  beforeAll(async () => {
    cluster = await startTestCluster();
    nc = await connect({ servers: cluster.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });
  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  it('an informer listing through ShoalClient follows writes made through the API', async () => {
    const { client } = cluster;
    const inf = new Informer({ kind: 'cm', nc, lister: (k) => client.listAll(k), logger: quiet, minBackoffMs: 20 });
    const seen = record(inf);
    try {
      const pre = await client.create(cm('via-api-pre', 'default', { via: 'api' }));
      inf.start();
      await inf.synced;
      expect(inf.get('default', 'via-api-pre')?.metadata?.uid).toBe(pre.metadata?.uid);
      const made: KubeObject[] = [];
      for (let i = 0; i < 30; i++) made.push(await client.create(cm(`via-api-${i}`, 'default', { via: 'api' })));
      for (const o of made.slice(0, 10)) await client.update({ ...o, data: { touched: 'yes' } });
      for (const o of made.slice(10, 20)) await client.delete('ConfigMap', 'default', o.metadata!.name!);
      const marker = await client.create(cm('via-api-marker'));
      await inf.waitForRevision(rv(marker), AbortSignal.timeout(10_000));
      const listed = await client.list('configmaps', { labelSelector: 'via=api' });
      expect(new Set(inf.list({ labelSelector: 'via=api' }).map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`))).toEqual(
        new Set(listed.items.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`)),
      );
      expect(seen.filter((s) => s.type === 'delete')).toHaveLength(10);
      expect(inf.stats.gaps).toBe(0);
    } finally {
      await inf.stop();
    }
  });

  it('throws typed errors and does not retry them', async () => {
    const { client } = cluster;
    await expect(client.get('ConfigMap', 'default', 'nope')).rejects.toBeInstanceOf(NotFoundError);
    const o = await client.create(cm('conflicted'));
    await client.update({ ...o, data: { a: '1' } });
    await expect(client.update({ ...o, data: { a: '2' } })).rejects.toBeInstanceOf(ConflictError);
    const bad = new ShoalClient({ server: cluster.api.address, token: 'wrong' });
    const t0 = Date.now();
    await expect(bad.version()).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(Date.now() - t0).toBeLessThan(1000);
    bad.close();

    // retryOnConflict re-reads and wins.
    let attempts = 0;
    const stale = await client.get('ConfigMap', 'default', 'conflicted');
    const result = await retryOnConflict(async () => {
      attempts++;
      const cur = attempts === 1 ? stale : await client.get('ConfigMap', 'default', 'conflicted');
      if (attempts === 1) await client.update({ ...cur, data: { a: 'racer' } });
      return client.update({ ...cur, data: { a: 'mine' } });
    });
    expect(attempts).toBe(2);
    expect(result.data).toEqual({ a: 'mine' });
  });

  it('a watch ends cleanly on abort', async () => {
    const { client } = cluster;
    const from = (await client.list('cm')).resourceVersion;
    const ac = new AbortController();
    const got: string[] = [];
    const done = (async () => {
      for await (const ev of client.watch('ConfigMap', { resourceVersion: from, signal: ac.signal })) {
        if (ev.type !== 'BOOKMARK') got.push(`${ev.type} ${ev.object.metadata?.name}`);
        if (got.length === 1) ac.abort();
      }
    })();
    await client.create(cm('watched'));
    await done;
    expect(got).toEqual(['ADDED watched']);
  });
});

describe('ShoalClient retries and config', () => {
  it('retries UNAVAILABLE until the server comes up', async () => {
    const port = await freePort();
    const client = new ShoalClient({ server: `127.0.0.1:${port}`, token: TEST_TOKEN, retry: { initialBackoffMs: 50, deadlineMs: 20_000 } });
    const { startApiServer } = await import('../services/api/server.js');
    const { dir, cleanup } = await tempDir();
    const pending = client.version();
    // A write is never re-sent (it may have been applied); it waits for a connection instead.
    const write = client.create(sampleObject('ConfigMap', 'sent-once'));
    await new Promise((r) => setTimeout(r, 300));
    const api = await startApiServer({ dataDir: dir, listen: `127.0.0.1:${port}`, tokens: { [TEST_TOKEN]: { user: 'a', groups: ['system:masters'] } } });
    try {
      expect((await pending).version).toBeTruthy();
      expect((await write).metadata?.name).toBe('sent-once');
    } finally {
      client.close();
      await api.stop();
      await cleanup();
    }
  });

  it('gives up on UNAVAILABLE at the deadline, and stops at once on abort', async () => {
    const port = await freePort();
    const client = new ShoalClient({ server: `127.0.0.1:${port}`, retry: { initialBackoffMs: 20, deadlineMs: 300 } });
    const t0 = Date.now();
    const err = await client.list('pods').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/gave up after \d+ attempts/);
    expect(Date.now() - t0).toBeLessThan(2000);

    const patient = new ShoalClient({ server: `127.0.0.1:${port}`, retry: { deadlineMs: 30_000 } });
    const ac = new AbortController();
    const t1 = Date.now();
    const call = patient.get('Pod', 'default', 'x', { signal: ac.signal }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 200);
    expect(await call).toBeInstanceOf(Error);
    expect(Date.now() - t1).toBeLessThan(2000);
    client.close();
    patient.close();
  });

  it('loads the config from a path, $SHOAL_CONFIG, with errors naming the file and field', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const good = join(dir, 'config.yaml');
      await writeFile(good, 'server: 127.0.0.1:6443\ntoken: abc\nnats: nats://127.0.0.1:4222\n');
      expect(await loadClientConfig(good)).toEqual({ server: '127.0.0.1:6443', token: 'abc', nats: 'nats://127.0.0.1:4222', path: good });
      const before = process.env.SHOAL_CONFIG;
      process.env.SHOAL_CONFIG = good;
      try {
        expect((await loadClientConfig()).token).toBe('abc');
      } finally {
        if (before === undefined) delete process.env.SHOAL_CONFIG;
        else process.env.SHOAL_CONFIG = before;
      }
      const noToken = join(dir, 'no-token.yaml');
      await writeFile(noToken, 'server: x:1\n');
      await expect(loadClientConfig(noToken)).rejects.toThrow(`${noToken}: missing "token"`);
      await expect(loadClientConfig(join(dir, 'absent.yaml'))).rejects.toThrow(/absent\.yaml.*does not exist/);
      const notYaml = join(dir, 'bad.yaml');
      await writeFile(notYaml, 'server: [\n');
      await expect(loadClientConfig(notYaml)).rejects.toThrow(/bad\.yaml: not valid YAML/);
    } finally {
      await cleanup();
    }
  });
});
