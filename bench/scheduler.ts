// Scheduler throughput: pods bound per second for the same batch of pending pods on 1,000
// and on 5,000 simulated nodes (Node objects only: no agents), side by side in one run.
//
// Each case gets a fresh nats-server and `shoal api` child process, creates the nodes (with
// Ready status and allocatable) and the pending pods first, then starts the scheduler in
// its own process, as `shoal scheduler` runs, and times from the scheduler's "ready" (its
// caches filled) until an informer has seen every pod bound. A bind is what the scheduler
// writes for each pod: spec.nodeName, the PodScheduled condition and a Scheduled event.
//
// Run: npm run build && npx tsx bench/scheduler.ts [pods=10000] [nodes=1000,5000] [parallelism=64]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from 'nats';
import { ShoalClient } from '../lib/client.js';
import { Informer } from '../lib/informer.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { KubeObject } from '../lib/kinds.js';
import { freePort, startNatsServer } from '../lib/natsd.js';
import { DEFAULT_PARALLELISM, Framework, SchedulerCache, defaultPlugins, podInfo } from '../services/scheduler/index.js';
import { TOKEN, startShoalApi, table } from './common.js';

const SELF = fileURLToPath(import.meta.url);
/** Concurrent clients creating nodes and pods. */
const CREATORS = 64;
/** Pods per fake ReplicaSet (an ownerReference with a made-up uid), so spreading works. */
const PODS_PER_OWNER = 1000;

// ---- the scheduler child: `tsx bench/scheduler.ts --scheduler SERVER NATS PARALLELISM` ----

async function schedulerChild(server: string, natsUrl: string, parallelism: number): Promise<void> {
  const { startScheduler } = await import('../services/scheduler/index.js');
  const s = await startScheduler({
    server,
    token: TOKEN,
    natsUrl,
    parallelism,
    logger: { info: () => {}, warn: (m) => console.error(m) },
  });
  process.once('SIGTERM', () => {
    void s.stop().then(() => process.exit(0));
  });
  await s.ready;
  console.log('scheduler ready');
}

// ---- the driver ----

interface Case {
  nodes: number;
  pods: number;
  nodeSetupS: number;
  podCreateS: number;
  readyS: number;
  scheduleS: number;
  podsPerS: number;
  spread: string;
  algorithmPodsPerS: number;
}

async function pool(total: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      for (let i = next++; i < total; i = next++) await fn(i);
    }),
  );
}

function nodeName(i: number): string {
  return `node-${String(i).padStart(5, '0')}`;
}

async function createNode(client: ShoalClient, i: number): Promise<void> {
  const name = nodeName(i);
  const created = await client.create({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    spec: {},
  });
  const allocatable = { cpu: '32', memory: '128Gi', pods: '110' };
  await client.updateStatus({
    ...created,
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
  });
}

function pendingPod(i: number): KubeObject {
  const owner = Math.floor(i / PODS_PER_OWNER);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `pod-${String(i).padStart(6, '0')}`,
      namespace: 'default',
      labels: { app: `app-${owner}` },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `app-${owner}`, uid: `00000000-0000-4000-8000-${String(owner).padStart(12, '0')}`, controller: true },
      ],
    },
    spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  };
}

/** The scheduling algorithm alone (filters, scores, assume) on the same nodes and pods, in
 * this process, with no API: what the scheduler could do if binds were free. */
function algorithmOnly(nodes: number, pods: number): number {
  const cache = new SchedulerCache();
  for (let i = 0; i < nodes; i++) {
    const name = nodeName(i);
    const allocatable = { cpu: '32', memory: '128Gi', pods: '110' };
    cache.setNode({
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
      spec: {},
      status: { allocatable, capacity: allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }
  const infos = Array.from({ length: pods }, (_, i) => {
    const p = pendingPod(i) as Pod__Output;
    p.metadata = { ...p.metadata, uid: `uid-${i}` };
    return podInfo(p);
  });
  const fw = new Framework(defaultPlugins());
  const t = performance.now();
  for (const info of infos) {
    const r = fw.schedule(info, cache);
    if (r.result !== 'scheduled') throw new Error(`${info.key}: ${r.result}`);
    cache.assume(info, r.node.name);
  }
  return pods / ((performance.now() - t) / 1000);
}

function startSchedulerChild(server: string, natsUrl: string, parallelism: number): { child: ChildProcess; ready: Promise<void> } {
  // The same loader (tsx) as this process, so the scheduler runs from source.
  // SHOAL_BENCH_PROFILE=dir writes a V8 CPU profile of the scheduler there.
  const profile = process.env.SHOAL_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SHOAL_BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, ...process.execArgv, SELF, '--scheduler', server, natsUrl, String(parallelism)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('scheduler ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the scheduler exited with ${code}`)));
  });
  return { child, ready };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

async function runCase(nodes: number, pods: number, parallelism: number): Promise<Case> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-bench-sched-'));
  await mkdir(join(dir, 'nats'));
  const nats = await startNatsServer({ port: await freePort(), storeDir: join(dir, 'nats') });
  const api = await startShoalApi(dir, nats.url);
  const client = new ShoalClient({ server: api.address, token: TOKEN });
  let scheduler: ChildProcess | undefined;
  let nc: NatsConnection | undefined;
  try {
    let t = performance.now();
    await pool(nodes, CREATORS, (i) => createNode(client, i));
    const nodeSetupS = (performance.now() - t) / 1000;
    t = performance.now();
    await pool(pods, CREATORS, (i) => client.create(pendingPod(i)));
    const podCreateS = (performance.now() - t) / 1000;

    // Count binds with an informer of our own (over NATS, as the scheduler watches), in
    // this process, not the scheduler's.
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1 });
    const informer = new Informer({ kind: 'Pod', nc, lister: (kind) => client.list(kind), logger: { info: () => {}, warn: console.error, error: console.error } });
    const bound = new Map<string, string>();
    let allBound: () => void = () => {};
    const done = new Promise<void>((resolve) => (allBound = resolve));
    let lastBindAt = 0;
    informer.onUpdate((_old, obj) => {
      const p = obj as Pod__Output;
      const n = p.spec?.nodeName;
      if (n && !bound.has(p.metadata?.name ?? '')) {
        bound.set(p.metadata?.name ?? '', n);
        lastBindAt = performance.now();
        if (bound.size >= pods) allBound();
      }
    });
    informer.start();
    await informer.synced;

    t = performance.now();
    const s = startSchedulerChild(api.address, nats.url, parallelism);
    scheduler = s.child;
    await s.ready;
    const readyAt = performance.now();
    const readyS = (readyAt - t) / 1000;
    await done;
    const scheduleS = (lastBindAt - readyAt) / 1000;
    await informer.stop();

    const perNode = new Map<string, number>();
    for (const n of bound.values()) perNode.set(n, (perNode.get(n) ?? 0) + 1);
    const counts = [...perNode.values()];
    const spread = `${Math.min(...counts)}..${Math.max(...counts)} on ${perNode.size}`;
    const algorithmPodsPerS = algorithmOnly(nodes, pods);
    return { nodes, pods, nodeSetupS, podCreateS, readyS, scheduleS, podsPerS: pods / scheduleS, spread, algorithmPodsPerS };
  } finally {
    if (scheduler) await stopChild(scheduler);
    await nc?.close();
    client.close();
    await api.stop();
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--scheduler') {
  await schedulerChild(process.argv[3]!, process.argv[4]!, Number(process.argv[5] ?? DEFAULT_PARALLELISM));
} else {
  const pods = Number(process.argv[2] ?? 10_000);
  const nodeCounts = (process.argv[3] ?? '1000,5000').split(',').map(Number);
  const parallelism = Number(process.argv[4] ?? DEFAULT_PARALLELISM);
  const results: Case[] = [];
  for (const nodes of nodeCounts) {
    console.error(`${nodes} nodes, ${pods} pods...`);
    results.push(await runCase(nodes, pods, parallelism));
  }
  const rows: (string | number)[][] = [
    ['nodes', 'pods', 'node setup s', 'pod creates/s', 'scheduler ready s', 'scheduling s', 'pods/s', 'pods per used node', 'algorithm only pods/s'],
  ];
  for (const r of results) {
    rows.push([
      r.nodes,
      r.pods,
      r.nodeSetupS.toFixed(1),
      (r.pods / r.podCreateS).toFixed(0),
      r.readyS.toFixed(2),
      r.scheduleS.toFixed(2),
      r.podsPerS.toFixed(0),
      r.spread,
      r.algorithmPodsPerS.toFixed(0),
    ]);
  }
  console.log(`scheduler throughput: ${pods} pending pods, binding parallelism ${parallelism}, one API server (LevelDB, fsync)\n`);
  console.log(table(rows));
}
