// Watch latency with 100 watchers: Shoal (API server → change log → NATS JetStream →
// informer) next to etcd 3.4 (put → etcd watch), same machine, same run.
// The commit is taken to happen halfway through the write's round trip (send → ack): the
// server commits, then answers, so it lies between the two. Latency is from that point to
// the moment each watcher has the object; the write's round trip is printed beside it.
// Run: npm run build && npx tsx bench/watch.ts [writes]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { connect, type NatsConnection } from 'nats';
import { ShoalClient } from '../lib/client.js';
import { Informer } from '../lib/informer.js';
import { freePort, startNatsServer } from '../lib/natsd.js';
import { sampleObject } from '../test/fixtures.js';
import { TOKEN, percentile, startEtcd, startShoalApi, table } from './common.js';

const WATCHERS = 100;
const WRITES = Number(process.argv[2] ?? 300);
/** Writes are paced, so the figure is latency, not queueing under overload. */
const PACE_MS = 10;

interface Result {
  write: number[];
  watch: number[];
}

/** Times, per write name, of sending it and of its ack. */
type Sent = Map<string, { sent: number; acked?: number }>;

/** Receive time minus the estimated commit time (halfway between send and ack). */
function fromCommit(sent: Sent, name: string, received: number): number | undefined {
  const t = sent.get(name);
  if (t?.acked === undefined) return undefined;
  return received - (t.sent + (t.acked - t.sent) / 2);
}

function summary(name: string, r: Result): (string | number)[] {
  const w = [...r.write].sort((a, b) => a - b);
  const l = [...r.watch].sort((a, b) => a - b);
  return [name, WATCHERS, l.length, percentile(w, 50).toFixed(2), percentile(l, 50).toFixed(2), percentile(l, 99).toFixed(2)];
}

/** Paced writes; `write(i)` resolves at the ack. Records send and ack times per name. */
async function drive(write: (i: number) => Promise<unknown>, sent: Sent, name: (i: number) => string): Promise<number[]> {
  const rtts: number[] = [];
  for (let i = 0; i < WRITES; i++) {
    const t = { sent: performance.now(), acked: undefined as number | undefined };
    sent.set(name(i), t);
    await write(i);
    t.acked = performance.now();
    rtts.push(t.acked - t.sent);
    await new Promise((r) => setTimeout(r, PACE_MS));
  }
  return rtts;
}

/** Watchers may see a write before its ack comes back: keep receive times, resolve later. */
function latencies(received: { name: string; at: number }[], sent: Sent): number[] {
  return received.map((r) => fromCommit(sent, r.name, r.at)).filter((x): x is number => x !== undefined);
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

async function shoal(dir: string): Promise<Result> {
  const nats = await startNatsServer({ port: await freePort(), storeDir: join(dir, 'nats') });
  const api = await startShoalApi(dir, nats.url);
  const client = new ShoalClient({ server: api.address, token: TOKEN });
  const conns: NatsConnection[] = [];
  const informers: Informer[] = [];
  const sent: Sent = new Map();
  const received: { name: string; at: number }[] = [];
  try {
    for (let i = 0; i < WATCHERS; i++) {
      const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1 });
      conns.push(nc);
      const inf = new Informer({ kind: 'ConfigMap', nc, lister: (kind) => client.listAll(kind) });
      inf.onAdd((obj) => {
        const name = obj.metadata?.name ?? '';
        if (sent.has(name)) received.push({ name, at: performance.now() });
      });
      inf.start();
      informers.push(inf);
    }
    await Promise.all(informers.map((i) => i.synced));
    const write = await drive((i) => client.create(sampleObject('ConfigMap', `lat-${i}`)), sent, (i) => `lat-${i}`);
    await waitFor(() => received.length >= WRITES * WATCHERS, 30_000);
    return { write, watch: latencies(received, sent) };
  } finally {
    await Promise.all(informers.map((i) => i.stop()));
    await Promise.all(conns.map((c) => c.close()));
    client.close();
    await api.stop();
    await nats.stop();
  }
}

async function etcd(dir: string): Promise<Result> {
  const server = await startEtcd(dir);
  const writer = new Etcd3({ hosts: `http://${server.address}` });
  // One client per watcher, as 100 informers would each hold their own.
  const clients = Array.from({ length: WATCHERS }, () => new Etcd3({ hosts: `http://${server.address}` }));
  const sent: Sent = new Map();
  const received: { name: string; at: number }[] = [];
  const value = JSON.stringify(sampleObject('ConfigMap', 'lat-000000'));
  try {
    const watchers = await Promise.all(
      clients.map(async (c) => {
        const w = await c.watch().prefix('/registry/configmaps/').create();
        w.on('put', (kv) => {
          const name = kv.key.toString().split('/').pop() ?? '';
          if (sent.has(name)) received.push({ name, at: performance.now() });
        });
        return w;
      }),
    );
    const write = await drive((i) => writer.put(`/registry/configmaps/default/lat-${i}`).value(value).exec(), sent, (i) => `lat-${i}`);
    await waitFor(() => received.length >= WRITES * WATCHERS, 30_000);
    await Promise.all(watchers.map((w) => w.cancel()));
    return { write, watch: latencies(received, sent) };
  } finally {
    clients.forEach((c) => c.close());
    writer.close();
    await server.stop();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'shoal-bench-watch-'));
try {
  const rows: (string | number)[][] = [['system', 'watchers', 'deliveries', 'write rtt p50 ms', 'commit→watcher p50 ms', 'p99 ms']];
  rows.push(summary('shoal (NATS → informer)', await shoal(dir)));
  rows.push(summary('etcd 3.4 (watch)', await etcd(dir)));
  console.log(`watch latency, ${WRITES} paced writes (${PACE_MS} ms apart), from commit (mid round trip) to each watcher having it\n`);
  console.log(table(rows));
} finally {
  await rm(dir, { recursive: true, force: true });
}
