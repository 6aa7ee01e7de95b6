// Deployments next to Docker Swarm services, on the same dockerd, in the same run:
//   - the time until a Deployment of N=10 and of N=50 replicas is all available (from the
//     create to availableReplicas = N), against `docker service create --replicas N` until N
//     tasks run;
//   - the time for a rolling update of N=10 (maxSurge 1, maxUnavailable 0: one new pod at a
//     time, started before an old one stops), against `docker service update` with
//     --update-parallelism 1 --update-order start-first.
// Shoal runs as a whole cluster (`shoal up --nodes 1`, docker runtime) in a child process.
// Both run shoal/busybox:1.36 `sleep 3600`, with a 1 s stop grace period, from local images
// only (Swarm gets --no-resolve-image). Everything created is removed at the end.
// Run: npm run build && npx tsx bench/deployments.ts [rounds]
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { parse } from 'yaml';
import { deploymentRolloutStatus } from '../cli/rollout.js';
import { retryOnConflict, ShoalClient, type ClientConfig } from '../lib/client.js';
import type { Deployment__Output } from '../lib/gen/shoal/v1/Deployment.js';
import type { KubeObject } from '../lib/kinds.js';
import { table } from './common.js';

const ROUNDS = Number(process.argv[2] ?? 1);
const IMAGE = 'shoal/busybox:1.36';
const BIN = fileURLToPath(new URL('../bin/shoal.js', import.meta.url));
/** Every wait is bounded by this. */
const WAIT_MS = 5 * 60_000;
const PREFIX = 'bench-deploy';
const run = promisify(execFile);
const docker = new Docker();

type Deploy = Deployment__Output & KubeObject;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` every `everyMs` until true; throws naming `what` after WAIT_MS. */
async function until(what: string, check: () => Promise<boolean>, everyMs = 25): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------- Shoal

/** `shoal up` with one Docker node in a child process; resolves with a client for it. */
async function startCluster(dir: string): Promise<{ client: ShoalClient; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [BIN, 'up', '--data-dir', join(dir, 'data'), '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--nodes', '1', '--runtime', 'docker', '--sandbox-image', 'shoal/pause:3.9'],
    { env: { ...process.env, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // The cluster's log (conflict retries and all) is kept, not printed, unless it fails.
  let log = '';
  const keep = (b: Buffer): void => {
    log = (log + b.toString()).slice(-20_000);
  };
  child.stderr?.on('data', keep);
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') console.error(`shoal up exited (${code ?? signal}); its last log:\n${log}`);
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`shoal up did not come up: ${out}`)), 60_000);
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      keep(b);
      if (out.includes('Shoal is up')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`shoal up exited with ${code}: ${out}`));
    });
  });
  const config = parse(await readFile(join(dir, 'data', 'admin.yaml'), 'utf8')) as ClientConfig;
  const client = new ShoalClient(config);
  return {
    client,
    stop: async () => {
      client.close();
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

function deployment(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: { intVal: 1 }, maxUnavailable: { intVal: 0 } } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'main', image: IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
        },
      },
    },
  };
}

/** Resolves once the Deployment (seen through a watch) is rolled out as `rollout status` says. */
async function shoalRolledOut(client: ShoalClient, name: string, fromRevision: string): Promise<number> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), WAIT_MS);
  try {
    for await (const ev of client.watch('Deployment', { namespace: 'default', fieldSelector: `metadata.name=${name}`, resourceVersion: fromRevision, signal: abort.signal })) {
      if (ev.type === 'BOOKMARK' || ev.type === 'DELETED') continue;
      const d = ev.object as Deploy;
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) continue;
      if (deploymentRolloutStatus(d).done) return performance.now();
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  throw new Error(`deployment ${name}: not rolled out within ${WAIT_MS / 1000} s`);
}

/** Deletes the Deployment and waits until its pods are gone. */
async function shoalDelete(client: ShoalClient, name: string): Promise<void> {
  await client.delete('Deployment', 'default', name);
  await until(`the pods of ${name} to go`, async () => (await client.list('Pod', { namespace: 'default', labelSelector: `app=${name}` })).items.length === 0, 200);
}

/** Create → all N available. */
async function shoalScaleUp(client: ShoalClient, n: number, round: number): Promise<number> {
  const name = `${PREFIX}-${n}-${round}`;
  const from = (await client.list('Deployment', { namespace: 'default', limit: 1 })).resourceVersion;
  const done = shoalRolledOut(client, name, from);
  const t0 = performance.now();
  await client.create(deployment(name, n));
  const ms = (await done) - t0;
  await shoalDelete(client, name);
  return ms;
}

/** A template change (an env var) → all N updated and available, old ones gone. */
async function shoalRollingUpdate(client: ShoalClient, n: number, round: number): Promise<number> {
  const name = `${PREFIX}-roll-${n}-${round}`;
  let from = (await client.list('Deployment', { namespace: 'default', limit: 1 })).resourceVersion;
  const ready = shoalRolledOut(client, name, from);
  await client.create(deployment(name, n));
  await ready;
  from = (await client.list('Deployment', { namespace: 'default', limit: 1 })).resourceVersion;
  const done = shoalRolledOut(client, name, from);
  const t0 = performance.now();
  await retryOnConflict(async () => {
    const d = (await client.get('Deployment', 'default', name)) as Deploy;
    d.spec!.template!.spec!.containers![0]!.env = [{ name: 'VERSION', value: '2' }];
    await client.update(d);
  });
  const ms = (await done) - t0;
  await shoalDelete(client, name);
  return ms;
}

/** Removes the containers the bench's pods left (the agent leaves them when it stops). */
async function removeShoalContainers(): Promise<void> {
  for (const c of await docker.listContainers({ all: true, filters: { label: ['io.shoal.pod.namespace=default'] } })) {
    if (c.Names.some((n) => n.includes(PREFIX))) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  }
}

// ---------------------------------------------------------------- Docker Swarm

const SWARM_FLAGS = ['--detach', '--no-resolve-image', '--update-parallelism', '1', '--update-order', 'start-first', '--update-delay', '0s', '--stop-grace-period', '1s'];

interface TaskLike {
  DesiredState?: string;
  Status?: { State?: string };
  Spec?: { ContainerSpec?: { Env?: string[] } };
}

async function tasks(service: string): Promise<TaskLike[]> {
  return (await docker.listTasks({ filters: { service: [service] } })) as TaskLike[];
}

/** N tasks running with `env` (when given), and none of another spec meant to run. */
async function swarmConverged(service: string, n: number, env?: string): Promise<boolean> {
  const all = await tasks(service);
  const current = (t: TaskLike): boolean => !env || (t.Spec?.ContainerSpec?.Env ?? []).includes(env);
  const running = all.filter((t) => t.DesiredState === 'running' && t.Status?.State === 'running' && current(t));
  const stale = all.filter((t) => t.DesiredState === 'running' && !current(t));
  return running.length === n && stale.length === 0;
}

async function swarmRemove(service: string): Promise<void> {
  await run('docker', ['service', 'rm', service]).catch(() => undefined);
  await until(
    `the containers of service ${service} to go`,
    async () => (await docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.name=${service}`] } })).length === 0,
    200,
  );
}

/** `docker service create --replicas N` → N tasks running. */
async function swarmScaleUp(n: number, round: number): Promise<number> {
  const service = `${PREFIX}-${n}-${round}`;
  const t0 = performance.now();
  await run('docker', ['service', 'create', '--name', service, '--replicas', String(n), ...SWARM_FLAGS, IMAGE, 'sleep', '3600']);
  await until(`${n} running tasks of ${service}`, () => swarmConverged(service, n));
  const ms = performance.now() - t0;
  await swarmRemove(service);
  return ms;
}

/** `docker service update --env-add` → N new tasks running, none of the old spec; also the
 * time until the service's UpdateStatus says completed. */
async function swarmRollingUpdate(n: number, round: number): Promise<{ converged: number; completed: number }> {
  const service = `${PREFIX}-roll-${n}-${round}`;
  await run('docker', ['service', 'create', '--name', service, '--replicas', String(n), ...SWARM_FLAGS, IMAGE, 'sleep', '3600']);
  await until(`${n} running tasks of ${service}`, () => swarmConverged(service, n));
  const t0 = performance.now();
  await run('docker', ['service', 'update', '--detach', '--no-resolve-image', '--env-add', 'VERSION=2', service]);
  let converged = 0;
  let completed = 0;
  await until(`the rolling update of ${service}`, async () => {
    if (!converged && (await swarmConverged(service, n, 'VERSION=2'))) converged = performance.now() - t0;
    if (!completed) {
      const info = (await docker.getService(service).inspect()) as { UpdateStatus?: { State?: string } };
      if (info.UpdateStatus?.State === 'completed') completed = performance.now() - t0;
    }
    return converged > 0 && completed > 0;
  });
  await swarmRemove(service);
  return { converged, completed };
}

// ---------------------------------------------------------------- the run

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
}

const fmt = (ms: number): string => (ms / 1000).toFixed(2);

const results = { shoal: { up10: [] as number[], up50: [] as number[], roll10: [] as number[] }, swarm: { up10: [] as number[], up50: [] as number[], roll10: [] as number[], roll10done: [] as number[] } };

const dir = await mkdtemp(join(tmpdir(), 'shoal-bench-deploy-'));
let initialisedSwarm = false;
/** `docker swarm init` creates docker_gwbridge, and leaving does not remove it. */
let hadGwBridge = true;
let failed = false;
try {
  // Shoal: one whole cluster for every round.
  const cluster = await startCluster(dir);
  try {
    for (let r = 0; r < ROUNDS; r++) {
      results.shoal.up10.push(await shoalScaleUp(cluster.client, 10, r));
      results.shoal.up50.push(await shoalScaleUp(cluster.client, 50, r));
      results.shoal.roll10.push(await shoalRollingUpdate(cluster.client, 10, r));
      console.error(`shoal round ${r + 1}: up10 ${fmt(results.shoal.up10.at(-1)!)} s, up50 ${fmt(results.shoal.up50.at(-1)!)} s, roll10 ${fmt(results.shoal.roll10.at(-1)!)} s`);
    }
  } finally {
    for (const d of (await cluster.client.list('Deployment', { namespace: 'default' }).catch(() => ({ items: [] }))).items) {
      await cluster.client.delete('Deployment', 'default', d.metadata?.name ?? '').catch(() => undefined);
    }
    await cluster.stop();
    await removeShoalContainers();
  }

  // Docker Swarm, on the same dockerd.
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  if (info.Swarm?.LocalNodeState === 'inactive') {
    hadGwBridge = (await docker.listNetworks({ filters: { name: ['docker_gwbridge'] } })).some((n) => n.Name === 'docker_gwbridge');
    await run('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1']);
    initialisedSwarm = true;
  } else if (!info.Swarm?.ControlAvailable) {
    throw new Error(`this dockerd is in a swarm (${info.Swarm?.LocalNodeState}) but not a manager: cannot create services`);
  }
  for (let r = 0; r < ROUNDS; r++) {
    results.swarm.up10.push(await swarmScaleUp(10, r));
    results.swarm.up50.push(await swarmScaleUp(50, r));
    const roll = await swarmRollingUpdate(10, r);
    results.swarm.roll10.push(roll.converged);
    results.swarm.roll10done.push(roll.completed);
    console.error(`swarm round ${r + 1}: up10 ${fmt(results.swarm.up10.at(-1)!)} s, up50 ${fmt(results.swarm.up50.at(-1)!)} s, roll10 ${fmt(roll.converged)} s (UpdateStatus completed ${fmt(roll.completed)} s)`);
  }

  const rows: (string | number)[][] = [['measure (median of ' + ROUNDS + ')', 'shoal s', 'swarm s', 'shoal/swarm']];
  const row = (what: string, a: number[], b: number[]): void => {
    rows.push([what, fmt(median(a)), fmt(median(b)), (median(a) / median(b)).toFixed(2)]);
  };
  row('N=10 create → all available/running', results.shoal.up10, results.swarm.up10);
  row('N=50 create → all available/running', results.shoal.up50, results.swarm.up50);
  row('N=10 rolling update (surge 1, unavail 0)', results.shoal.roll10, results.swarm.roll10);
  rows.push(['  swarm: until UpdateStatus completed', '', fmt(median(results.swarm.roll10done)), (median(results.shoal.roll10) / median(results.swarm.roll10done)).toFixed(2)]);
  console.log(`\nDeployments vs Docker Swarm services on one dockerd; ${IMAGE} sleep 3600, image present, stop grace 1 s.`);
  console.log('Shoal: `shoal up --nodes 1` (docker runtime; each pod is a pause sandbox plus one container), timed from the create/update call to rollout status done.');
  console.log('Swarm: timed from `docker service create|update --detach` to the tasks converged (polled every 25 ms).\n');
  console.log(table(rows));
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  // Whatever happened: our services, our containers, the swarm if we made it, the temp dir.
  const services = await docker.listServices().catch(() => []);
  for (const s of services) {
    const name = (s as { Spec?: { Name?: string } }).Spec?.Name ?? '';
    if (name.startsWith(PREFIX)) await swarmRemove(name).catch(() => undefined);
  }
  await removeShoalContainers().catch(() => undefined);
  if (initialisedSwarm) {
    await run('docker', ['swarm', 'leave', '--force']).catch((err: unknown) => console.error(`docker swarm leave: ${String(err)}`));
    if (!hadGwBridge) await run('docker', ['network', 'rm', 'docker_gwbridge']).catch((err: unknown) => console.error(`docker network rm docker_gwbridge: ${String(err)}`));
  }
  await rm(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
