// The change-log pump against a real nats-server and a real LevelDB store.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { EVENTS_STREAM, decodeEvent, revisionFromHeaders, type StreamEvent } from '../lib/events-stream.js';
import type { KubeObject } from '../lib/kinds.js';
import { openStore, type LevelStore } from '../services/api/store.js';
import { startPump, type Pump } from '../services/api/pump.js';
import { eventually, startNats, tempDir, type NatsServer } from './harness.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

function configMap(name: string, ns = 'default', data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data };
}

/** Every message in the stream, in sequence order. */
interface Stored {
  seq: number;
  subject: string;
  ev: StreamEvent;
  hdrRevision?: number;
}

async function readStream(nc: NatsConnection): Promise<Stored[]> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(EVENTS_STREAM);
  const out: Stored[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(EVENTS_STREAM, { seq });
    out.push({ seq, subject: m.subject, ev: decodeEvent(m.data), hdrRevision: revisionFromHeaders(m.header) });
  }
  return out;
}

function expectContiguous(msgs: Stored[], from: number, to: number): void {
  expect(msgs.map((m) => m.ev.revision)).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i));
  for (const m of msgs) expect(m.hdrRevision).toBe(m.ev.revision);
}

describe('pump', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    // Each test starts from an empty stream.
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(EVENTS_STREAM).catch(() => false);
  });

  async function newStore(): Promise<{ store: LevelStore; dir: string }> {
    const { dir, cleanup } = await tempDir();
    const store = await openStore({ dir, compactIntervalMs: 0 });
    cleanups.push(async () => {
      await store.close();
      await cleanup();
    });
    return { store, dir };
  }

  async function pumpFor(store: LevelStore, extra: Partial<Parameters<typeof startPump>[0]> = {}): Promise<Pump> {
    const pump = await startPump({ store, natsUrl: nats.url, logger: quiet, minBackoffMs: 20, maxBackoffMs: 200, ...extra });
    cleanups.push(() => pump.stop());
    return pump;
  }

  it('publishes every revision once, in order, with its headers and body', async () => {
    const { store } = await newStore();
    const pump = await pumpFor(store);
    await pump.ready;
    const a = await store.create(configMap('a'));
    const b = await store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    await store.update({ ...a, data: { x: '1' } });
    await store.delete({ kind: 'ConfigMap', namespace: 'default', name: 'a' });
    await pump.waitForRevision(store.revision, AbortSignal.timeout(10_000));
    expect(pump.publishedRevision).toBe(4);
    const msgs = await readStream(nc);
    expectContiguous(msgs, 1, 4);
    expect(msgs.map((m) => m.ev.type)).toEqual(['ADDED', 'ADDED', 'MODIFIED', 'DELETED']);
    expect(msgs[1]!.ev.object.metadata?.name).toBe(b.metadata?.name);
    expect(msgs[2]!.ev.prevObject?.data).toEqual({});
    expect(msgs[2]!.ev.kindPrevRevision).toBe(1);
    expect(msgs[3]!.ev.kindPrevRevision).toBe(3);
    expect(msgs.map((m) => m.subject)).toEqual([
      'shoal.events.ConfigMap.default',
      'shoal.events.Namespace._',
      'shoal.events.ConfigMap.default',
      'shoal.events.ConfigMap.default',
    ]);
  });

  it('resumes after a pump restart with no duplicate and no gap', async () => {
    const { store } = await newStore();
    let pump = await pumpFor(store, { batch: 8 });
    for (let i = 0; i < 100; i++) await store.create(configMap(`cm-${i}`));
    await pump.waitForRevision(100, AbortSignal.timeout(10_000));
    // Stop in the middle of a burst: some writes are committed but not yet published.
    const writes: Promise<KubeObject>[] = [];
    for (let i = 100; i < 300; i++) writes.push(store.create(configMap(`cm-${i}`)));
    await pump.stop();
    await Promise.all(writes);
    expect(store.revision).toBe(300);
    pump = await pumpFor(store, { batch: 8 });
    for (let i = 300; i < 350; i++) await store.create(configMap(`cm-${i}`));
    await pump.waitForRevision(350, AbortSignal.timeout(10_000));
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(EVENTS_STREAM);
    expect(info.state.messages).toBe(350);
    expectContiguous(await readStream(nc), 1, 350);
  });

  it('resumes after nats-server is killed and restarted', async () => {
    const { store } = await newStore();
    const pump = await pumpFor(store);
    await pump.ready;
    const writer = (async () => {
      for (let i = 0; i < 400; i++) {
        await store.create(configMap(`cm-${i}`));
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await eventually(() => pump.publishedRevision >= 50, 'first publishes');
    await nats.kill();
    await new Promise((r) => setTimeout(r, 300));
    await nats.restart();
    await writer;
    await pump.waitForRevision(400, AbortSignal.timeout(30_000));
    await eventually(() => !nc.isClosed() && nc.info !== undefined, 'test connection back');
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(EVENTS_STREAM);
    expect(info.state.messages).toBe(400);
    expectContiguous(await readStream(nc), 1, 400);
  });

  it('starts from the compacted revision on an empty stream and recovers a lost stream', async () => {
    const { store } = await newStore();
    for (let i = 0; i < 20; i++) await store.create(configMap(`cm-${i}`));
    const pump = await pumpFor(store);
    await pump.waitForRevision(20, AbortSignal.timeout(10_000));
    expectContiguous(await readStream(nc), 1, 20);
    // Losing the whole stream: the pump recreates it and republishes what the log still has.
    await pump.stop();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(EVENTS_STREAM);
    const again = await pumpFor(store);
    await store.create(configMap('late'));
    await again.waitForRevision(21, AbortSignal.timeout(10_000));
    expectContiguous(await readStream(nc), 1, 21);
  });

  it('drops prevObject, then truncates, rather than wedging on an oversized event', async () => {
    const { store } = await newStore();
    const pump = await pumpFor(store);
    // The harness' nats-server takes 8 MB payloads: 3 MiB fits, 9 MiB does not.
    const big = 'x'.repeat(3 * 1024 * 1024);
    const a = await store.create(configMap('big', 'default', { v: big }));
    await store.update({ ...a, data: { v: big, w: big, u: big } });
    await store.create(configMap('small'));
    await pump.waitForRevision(3, AbortSignal.timeout(10_000));
    const msgs = await readStream(nc);
    expectContiguous(msgs, 1, 3);
    expect(msgs[0]!.ev.truncated).toBeUndefined();
    expect(msgs[1]!.ev.truncated).toBe(true);
    expect(msgs[1]!.ev.object.metadata?.name).toBe('big');
    expect(msgs[1]!.ev.prevObject).toBeUndefined();
  });
});
