// Pod start latency: from Create to the pod seen Running on a watch (image present), through
// the whole path (API server → scheduler → node agent → Docker, sandbox and all), next to a
// raw `docker run -d` and a dockerode create+start on the same dockerd, in the same run.
// Run: npm run build && npx tsx bench/pod-start.ts [pods]
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { parse } from 'yaml';
import { ShoalClient, type ClientConfig } from '../lib/client.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import { percentile, table } from './common.js';

const PODS = Number(process.argv[2] ?? 30);
const IMAGE = 'shoal/busybox:1.36';
const BIN = fileURLToPath(new URL('../bin/shoal.js', import.meta.url));
const run = promisify(execFile);

function summary(name: string, ms: number[]): (string | number)[] {
  const s = [...ms].sort((a, b) => a - b);
  return [name, s.length, percentile(s, 50).toFixed(0), percentile(s, 99).toFixed(0)];
}

/** `shoal up` with one Docker node in a child process; resolves with a client for it. */
async function startCluster(dir: string): Promise<{ client: ShoalClient; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'up', '--data-dir', join(dir, 'data'), '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--nodes', '1'], {
    env: { ...process.env, HOME: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('Shoal is up')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`shoal up exited with ${code}`)));
  });
  const config = parse(await readFile(join(dir, 'data', 'admin.yaml'), 'utf8')) as ClientConfig;
  const client = new ShoalClient(config);
  return {
    client,
    stop: async () => {
      client.close();
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function shoalPodStarts(client: ShoalClient): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < PODS; i++) {
    const name = `start-${i}`;
    const from = (await client.list('Pod', { namespace: 'default', limit: 1 })).resourceVersion;
    const abort = new AbortController();
    const running = (async () => {
      for await (const ev of client.watch('Pod', { namespace: 'default', fieldSelector: `metadata.name=${name}`, resourceVersion: from, signal: abort.signal })) {
        if (ev.type !== 'BOOKMARK' && (ev.object as Pod__Output).status?.phase === 'Running') return performance.now();
      }
      throw new Error('watch ended');
    })();
    const t0 = performance.now();
    await client.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { containers: [{ name: 'main', image: IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 0 },
    });
    const timeout = setTimeout(() => abort.abort(), 60_000);
    latencies.push((await running) - t0);
    clearTimeout(timeout);
    abort.abort();
  }
  for (let i = 0; i < PODS; i++) await client.delete('Pod', 'default', `start-${i}`, { gracePeriodSeconds: 0 });
  return latencies;
}

async function dockerCliStarts(): Promise<number[]> {
  const latencies: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < PODS; i++) {
    const t0 = performance.now();
    const { stdout } = await run('docker', ['run', '-d', '--label', 'shoal.bench=pod-start', IMAGE, 'sleep', '3600']);
    latencies.push(performance.now() - t0);
    ids.push(stdout.trim());
  }
  await run('docker', ['rm', '-f', ...ids]);
  return latencies;
}

async function dockerodeStarts(): Promise<number[]> {
  const docker = new Docker();
  const latencies: number[] = [];
  for (let i = 0; i < PODS; i++) {
    const t0 = performance.now();
    const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sleep', '3600'], Labels: { 'shoal.bench': 'pod-start' } });
    await c.start();
    latencies.push(performance.now() - t0);
    await c.remove({ force: true });
  }
  return latencies;
}

const dir = await mkdtemp(join(tmpdir(), 'shoal-bench-podstart-'));
const cluster = await startCluster(dir);
try {
  const rows: (string | number)[][] = [['path', 'starts', 'p50 ms', 'p99 ms']];
  rows.push(summary('shoal pod (create → Running on a watch)', await shoalPodStarts(cluster.client)));
  rows.push(summary('docker run -d (CLI)', await dockerCliStarts()));
  rows.push(summary('dockerode create+start', await dockerodeStarts()));
  console.log(`pod start latency, ${PODS} starts each, image ${IMAGE} present; a Shoal pod is a sandbox plus one container\n`);
  console.log(table(rows));
} finally {
  await cluster.stop();
  // The agent leaves containers running when it stops, as a kubelet does: clean up ours.
  const docker = new Docker();
  for (const c of await docker.listContainers({ all: true, filters: { label: ['io.shoal.pod.namespace=default'] } })) {
    if ((c.Names[0] ?? '').includes('start-')) await docker.getContainer(c.Id).remove({ force: true });
  }
  await rm(dir, { recursive: true, force: true });
}
