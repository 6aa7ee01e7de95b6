// Durable creates per second through Shoal's API at 1 and 64 concurrent clients, next to
// etcd 3.4 (one member, same disk, same value size) in the same run.
// Run: npm run build && npx tsx bench/creates.ts [seconds-per-case] [--workers N] [--warmup S]
//
// Both sides are driven the same way: the clients run in worker threads (`--workers`,
// default one per core, 64 clients split between them, each thread with its own gRPC
// connection), since one JavaScript client thread saturates before etcd does and its
// creates/s would measure the client. Each system first takes `--warmup` seconds of
// unmeasured creates: Shoal's server and both client libraries are JavaScript, and the first
// seconds of load mostly measure the JIT compiling them. Next to the rates: the server
// process's CPU time per create (every thread, from /proc) and how many cores the client
// threads kept busy.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Etcd3 } from 'etcd3';
import { ShoalClient } from '../lib/client.js';
import { sampleObject } from '../test/fixtures.js';
import { TOKEN, percentile, startEtcd, startShoalApi, table, type Child } from './common.js';

type System = 'shoal' | 'etcd';

interface WorkerSetup {
  system: System;
  address: string;
  /** etcd's value: a Deployment as Shoal stores it. */
  value: string;
}

interface Job {
  clients: number;
  /** Stop issuing creates at this Date.now(). */
  until: number;
  /** Names are `<prefix>-<n>`, unique across jobs and workers. */
  prefix: string;
}

interface JobResult {
  count: number;
  elapsedMs: number;
  latencies: Float64Array;
}

/** This file again, in a worker thread (see clientThread). */
function startWorker(setup: WorkerSetup): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL(self), { workerData: setup });
  // Run through tsx, whose loader a worker thread does not inherit (Node 20): register it first.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(self)}); })`;
  return new Worker(boot, { eval: true, workerData: setup });
}

/** A system's client threads. */
class ClientPool {
  private constructor(private readonly workers: Worker[]) {}

  static async start(n: number, setup: WorkerSetup): Promise<ClientPool> {
    const workers = Array.from({ length: n }, () => startWorker(setup));
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once('online', resolve).once('error', reject))));
    return new ClientPool(workers);
  }

  /** Runs `clients` creators split over as many threads as useful, for `seconds`. */
  async run(clients: number, seconds: number, prefix: string): Promise<JobResult[]> {
    const used = this.workers.slice(0, Math.min(clients, this.workers.length));
    const until = Date.now() + seconds * 1000;
    return Promise.all(
      used.map(
        (w, i) =>
          new Promise<JobResult>((resolve, reject) => {
            const share = Math.floor(clients / used.length) + (i < clients % used.length ? 1 : 0);
            const onError = (err: unknown): void => reject(err instanceof Error ? err : new Error(String(err)));
            w.once('error', onError);
            w.once('message', (r: JobResult) => {
              w.off('error', onError);
              resolve(r);
            });
            w.postMessage({ clients: share, until, prefix: `${prefix}-${i}` } satisfies Job);
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            w.postMessage('close');
            setTimeout(() => void w.terminate(), 5000).unref();
          }),
      ),
    );
  }
}

/** CPU time (ms, every thread) a process has used, or undefined without /proc. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after "pid (comm) ": state is the 1st, utime the 12th, stime the 13th, in ticks.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function clientCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface CaseResult {
  rate: number;
  p50: number;
  p99: number;
  /** Server CPU µs per create. */
  serverCpu?: number;
  /** Cores the client threads kept busy. */
  clientCores: number;
}

async function measure(pool: ClientPool, server: Child, clients: number, seconds: number, prefix: string): Promise<CaseResult> {
  const server0 = processCpuMs(server.child.pid);
  const client0 = clientCpuMs();
  const t0 = performance.now();
  const results = await pool.run(clients, seconds, prefix);
  const wall = performance.now() - t0;
  const server1 = processCpuMs(server.child.pid);
  const client1 = clientCpuMs();
  const count = results.reduce((n, r) => n + r.count, 0);
  const elapsed = Math.max(...results.map((r) => r.elapsedMs)) / 1000;
  const latencies = results.flatMap((r) => Array.from(r.latencies)).sort((a, b) => a - b);
  return {
    rate: count / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    serverCpu: server0 !== undefined && server1 !== undefined ? ((server1 - server0) * 1000) / count : undefined,
    clientCores: (client1 - client0) / wall,
  };
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} wants a number`);
  return v;
}

async function main(): Promise<void> {
  const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const seconds = Number(positional[0] ?? 5);
  const workers = Math.max(1, Math.floor(flag('--workers', availableParallelism())));
  const warmup = flag('--warmup', 3);

  const dir = await mkdtemp(join(tmpdir(), 'shoal-bench-'));
  const shoal = await startShoalApi(dir);
  const etcd = await startEtcd(dir);
  const pools: ClientPool[] = [];
  try {
    // A Deployment as Shoal stores it (defaults, uid, timestamps), as bytes, is etcd's value:
    // the same object size on both sides.
    const probe = new ShoalClient({ server: shoal.address, token: TOKEN });
    const value = JSON.stringify(await probe.create(sampleObject('Deployment', 'bench-size-probe')));
    probe.close();
    const systems: { name: string; server: Child; pool: ClientPool }[] = [];
    for (const [name, system, server] of [
      ['shoal (LevelDB, fsync)', 'shoal', shoal],
      ['etcd 3.4 (1 member)', 'etcd', etcd],
    ] as const) {
      const pool = await ClientPool.start(workers, { system, address: server.address, value });
      pools.push(pool);
      if (warmup > 0) await pool.run(64, warmup, `bench-warmup`);
      systems.push({ name, server, pool });
    }
    const rows: (string | number)[][] = [['system', 'clients', 'creates/s', 'p50 ms', 'p99 ms', 'server CPU µs/create', 'client cores busy']];
    for (const clients of [1, 64]) {
      for (const { name, server, pool } of systems) {
        const s = await measure(pool, server, clients, seconds, `bench-${clients}`);
        rows.push([name, clients, s.rate.toFixed(0), s.p50.toFixed(2), s.p99.toFixed(2), s.serverCpu?.toFixed(0) ?? '-', s.clientCores.toFixed(2)]);
      }
    }
    console.log(
      `durable creates, ${seconds} s per case after ${warmup} s of warm-up, object ${value.length} bytes, ` +
        `clients in ${workers} worker thread${workers === 1 ? '' : 's'}, ${availableParallelism()} cores\n`,
    );
    console.log(table(rows));
  } finally {
    for (const pool of pools) await pool.close();
    await shoal.stop();
    await etcd.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A client thread: one connection, `job.clients` concurrent creators per job, until closed. */
function clientThread(): void {
  const setup = workerData as WorkerSetup;
  const shoal = setup.system === 'shoal' ? new ShoalClient({ server: setup.address, token: TOKEN }) : undefined;
  const etcd = setup.system === 'etcd' ? new Etcd3({ hosts: `http://${setup.address}` }) : undefined;
  const create = (name: string): Promise<unknown> =>
    shoal ? shoal.create(sampleObject('Deployment', name)) : etcd!.put(`/registry/deployments/default/${name}`).value(setup.value).exec();
  parentPort!.on('message', (msg: Job | 'close') => {
    if (msg === 'close') {
      shoal?.close();
      etcd?.close();
      parentPort!.close();
      return;
    }
    void (async () => {
      let next = 0;
      const latencies: number[] = [];
      const start = performance.now();
      await Promise.all(
        Array.from({ length: msg.clients }, async () => {
          while (Date.now() < msg.until) {
            const t = performance.now();
            await create(`${msg.prefix}-${next++}`);
            latencies.push(performance.now() - t);
          }
        }),
      );
      const buffer = new ArrayBuffer(latencies.length * Float64Array.BYTES_PER_ELEMENT);
      const result: JobResult = { count: latencies.length, elapsedMs: performance.now() - start, latencies: new Float64Array(buffer) };
      result.latencies.set(latencies);
      parentPort!.postMessage(result, [buffer]);
    })().catch((err: unknown) => {
      // Surface the failure in the main thread (as the worker's 'error').
      setImmediate(() => {
        throw err;
      });
    });
  });
}

if (isMainThread) await main();
else clientThread();
