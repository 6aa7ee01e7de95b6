// Watch latency with 100 watchers: Shoal (API server → change log → NATS JetStream →
// informer) next to etcd 3.4 (put → etcd watch), same machine, same run.
// Latency is taken from the moment the write is sent to the moment each watcher has the
// object; the write's own round trip is printed beside it, so the difference is the
// fan-out from commit to watcher.
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

function summary(name: string, r: Result): (string | number)[] {
  const w = [...r.write].sort((a, b) => a - b);
  const l = [...r.watch].sort((a, b) => a - b);
  return [name, WATCHERS, l.length, percentile(w, 50).toFixed(2), percentile(l, 50).toFixed(2), percentile(l, 99).toFixed(2)];
}

/** Paced writes; `write(i)` resolves at the ack. Records send time per name. */
async function drive(write: (i: number) => Promise<unknown>, sent: Map<string, number>, name: (i: number) => string): Promise<number[]> {
  const rtts: number[] = [];
  for (let i = 0; i < WRITES; i++) {
    const t = performance.now();
    sent.set(name(i), t);
    await write(i);
    rtts.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, PACE_MS));
  }
  return rtts;
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
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  try {
    for (let i = 0; i < WATCHERS; i++) {
      const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1 });
      conns.push(nc);
      const inf = new Informer({ kind: 'ConfigMap', nc, lister: (kind) => client.listAll(kind) });
      inf.onAdd((obj) => {
        const t = sent.get(obj.metadata?.name ?? '');
        if (t !== undefined) latencies.push(performance.now() - t);
      });
      inf.start();
      informers.push(inf);
    }
    await Promise.all(informers.map((i) => i.synced));
    const write = await drive((i) => client.create(sampleObject('ConfigMap', `lat-${i}`)), sent, (i) => `lat-${i}`);
    await waitFor(() => latencies.length >= WRITES * WATCHERS, 30_000);
    return { write, watch: latencies };
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
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const value = JSON.stringify(sampleObject('ConfigMap', 'lat-000000'));
  try {
    const watchers = await Promise.all(
      clients.map(async (c) => {
        const w = await c.watch().prefix('/registry/configmaps/').create();
        w.on('put', (kv) => {
          const t = sent.get(kv.key.toString().split('/').pop() ?? '');
          if (t !== undefined) latencies.push(performance.now() - t);
        });
        return w;
      }),
    );
    const write = await drive((i) => writer.put(`/registry/configmaps/default/lat-${i}`).value(value).exec(), sent, (i) => `lat-${i}`);
    await waitFor(() => latencies.length >= WRITES * WATCHERS, 30_000);
    await Promise.all(watchers.map((w) => w.cancel()));
    return { write, watch: latencies };
  } finally {
    clients.forEach((c) => c.close());
    writer.close();
    await server.stop();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'shoal-bench-watch-'));
try {
  const rows: (string | number)[][] = [['system', 'watchers', 'deliveries', 'write p50 ms', 'watch p50 ms', 'watch p99 ms']];
  rows.push(summary('shoal (NATS → informer)', await shoal(dir)));
  rows.push(summary('etcd 3.4 (watch)', await etcd(dir)));
  console.log(`watch latency, ${WRITES} paced writes (${PACE_MS} ms apart), from sending the write to each watcher having it\n`);
  console.log(table(rows));
} finally {
  await rm(dir, { recursive: true, force: true });
}
