// Durable creates per second through Shoal's API at 1 and 64 concurrent clients, next to
// etcd 3.4 (one member, same disk, same value size) in the same run.
// Run: npm run build && npx tsx bench/creates.ts [seconds-per-case]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { ShoalClient } from '../lib/client.js';
import { sampleObject } from '../test/fixtures.js';
import { TOKEN, percentile, startEtcd, startShoalApi, table } from './common.js';

const SECONDS = Number(process.argv[2] ?? 5);

async function run(concurrency: number, create: (i: number) => Promise<unknown>): Promise<{ rate: number; p50: number; p99: number }> {
  let next = 0;
  const latencies: number[] = [];
  const end = Date.now() + SECONDS * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        await create(next++);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const dir = await mkdtemp(join(tmpdir(), 'shoal-bench-'));
const shoal = await startShoalApi(dir);
const etcd = await startEtcd(dir);
const client = new ShoalClient({ server: shoal.address, token: TOKEN });
const etcdClient = new Etcd3({ hosts: `http://${etcd.address}` });
try {
  // A Deployment as Shoal stores it (defaults, uid, timestamps), as bytes, is etcd's value:
  // the same object size on both sides.
  const value = JSON.stringify(await client.create(sampleObject('Deployment', 'bench-size-probe')));
  const rows: (string | number)[][] = [['system', 'clients', 'creates/s', 'p50 ms', 'p99 ms']];
  for (const concurrency of [1, 64]) {
    const s = await run(concurrency, (i) => client.create(sampleObject('Deployment', `bench-${concurrency}-${i}`)));
    rows.push(['shoal (LevelDB, fsync)', concurrency, s.rate.toFixed(0), s.p50.toFixed(2), s.p99.toFixed(2)]);
    const e = await run(concurrency, (i) => etcdClient.put(`/registry/deployments/default/bench-${concurrency}-${i}`).value(value).exec());
    rows.push(['etcd 3.4 (1 member)', concurrency, e.rate.toFixed(0), e.p50.toFixed(2), e.p99.toFixed(2)]);
  }
  console.log(`durable creates, ${SECONDS} s per case, object ${value.length} bytes\n`);
  console.log(table(rows));
} finally {
  client.close();
  etcdClient.close();
  await shoal.stop();
  await etcd.stop();
  await rm(dir, { recursive: true, force: true });
}
