// The workload controllers against a real API server, a real scheduler and a real node agent
// running Docker containers (no simulated kubelet): a rolling image update observed through a
// watch, undo, a failing image that trips the progress deadline, and a controller manager
// process SIGKILLed in the middle of a scale-up.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { retryOnConflict, type ShoalClient } from '../lib/client.js';
import type { Deployment__Output } from '../lib/gen/shoal/v1/Deployment.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { ReplicaSet__Output } from '../lib/gen/shoal/v1/ReplicaSet.js';
import type { KubeObject } from '../lib/kinds.js';
import { rolloutStatus, rolloutUndo, scale } from '../cli/rollout.js';
import type { IO } from '../cli/commands.js';
import type { ContainerDriver } from '../services/node-agent/driver.js';
import type { ControllersHandle } from '../services/controllers/index.js';
import type { NodeAgentHandle } from '../services/node-agent/index.js';
import type { SchedulerHandle } from '../services/scheduler/index.js';
import { TEST_TOKEN, eventually, startTestCluster, tempDir, type TestCluster } from './harness.js';

type Pod = Pod__Output & KubeObject;
type Deploy = Deployment__Output & KubeObject;
type RS = ReplicaSet__Output & KubeObject;

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const NS = 'default';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const IMAGE = 'shoal/busybox:1.36';
const IMAGE_V2 = 'shoal/busybox:v2';
/** Refused at once by the loopback: the pull fails fast with ErrImagePull, no registry needed. */
const MISSING_IMAGE = '127.0.0.1:1/shoal/missing:v1';
const run = promisify(execFile);

function captureIO(): IO & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (t) => lines.push(t), err: (t) => errors.push(t) };
}

interface DeployOpts {
  replicas: number;
  minReadySeconds?: number;
  progressDeadlineSeconds?: number;
}

function deploymentObject(name: string, o: DeployOpts): KubeObject {
  const spec: Record<string, unknown> = {
    replicas: o.replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'app', image: IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
      },
    },
    minReadySeconds: o.minReadySeconds ?? 0,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: { intVal: 1 }, maxUnavailable: { intVal: 0 } } },
  };
  if (o.progressDeadlineSeconds !== undefined) spec.progressDeadlineSeconds = o.progressDeadlineSeconds;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: NS }, spec };
}

async function setImage(client: ShoalClient, name: string, image: string): Promise<void> {
  await retryOnConflict(async () => {
    const d = (await client.get('Deployment', NS, name)) as Deploy;
    d.spec!.template!.spec!.containers![0]!.image = image;
    await client.update(d);
  });
}

async function pods(client: ShoalClient, app: string): Promise<Pod[]> {
  return (await client.list('Pod', { namespace: NS, labelSelector: `app=${app}` })).items as Pod[];
}

const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const readySince = (p: Pod): number => Date.parse(p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime ?? '');
const terminating = (p: Pod): boolean => !!p.metadata?.deletionTimestamp;
const imageOf = (p: Pod): string | undefined => p.spec?.containers?.[0]?.image;

/** Waits until every replica of the Deployment is updated and available, on real containers. */
async function rolledOut(client: ShoalClient, name: string, replicas: number, image: string, timeoutMs = 60_000): Promise<void> {
  let last = '';
  await eventually(
    async () => {
      const d = (await client.get('Deployment', NS, name)) as Deploy;
      const s = d.status ?? {};
      const live = (await pods(client, name)).filter((p) => !terminating(p));
      last = JSON.stringify({ status: s, pods: live.map((p) => [p.metadata?.name, p.status?.phase, isReady(p)]) });
      return (
        (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        s.updatedReplicas === replicas &&
        s.replicas === replicas &&
        s.availableReplicas === replicas &&
        live.length === replicas &&
        live.every((p) => isReady(p) && p.status?.phase === 'Running' && imageOf(p) === image)
      );
    },
    `deployment ${name} rolled out with ${replicas} replicas of ${image}`,
    timeoutMs,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; last: ${last}`);
  });
}

/** Follows the pods of `app` through a watch (from a list), calling `onChange` with the live
 * set and the event after each event. */
async function observePods(client: ShoalClient, app: string, onChange: (live: Map<string, Pod>, ev: { type: string; pod: Pod }) => void): Promise<{ stop(): Promise<void> }> {
  const ac = new AbortController();
  const list = await client.list('Pod', { namespace: NS, labelSelector: `app=${app}` });
  const live = new Map((list.items as Pod[]).map((p) => [p.metadata?.name ?? '', p]));
  const loop = (async () => {
    for await (const ev of client.watch('Pod', { namespace: NS, labelSelector: `app=${app}`, resourceVersion: list.resourceVersion, signal: ac.signal })) {
      if (ev.type === 'BOOKMARK') continue;
      const pod = ev.object as Pod;
      const name = pod.metadata?.name ?? '';
      if (ev.type === 'DELETED') live.delete(name);
      else live.set(name, pod);
      onChange(live, { type: ev.type, pod });
    }
  })().catch((err: unknown) => {
    if (!ac.signal.aborted) throw err;
  });
  return {
    async stop() {
      ac.abort();
      await loop;
    },
  };
}

/** `p`, or an error naming `what` after `ms`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe('workload controllers on a real docker node', () => {
  let cluster: TestCluster;
  let scheduler: SchedulerHandle | undefined;
  let agent: NodeAgentHandle | undefined;
  let driver: ContainerDriver | undefined;
  let controllers: ControllersHandle | undefined;
  let cleanupDir: (() => Promise<void>) | undefined;
  let taggedV2 = false;

  beforeAll(async () => {
    // A second tag of the same local image: an image update that needs no registry.
    const tags = await run('docker', ['image', 'ls', '-q', IMAGE_V2]);
    if (!tags.stdout.trim()) {
      await run('docker', ['tag', IMAGE, IMAGE_V2]);
      taggedV2 = true;
    }
    cluster = await startTestCluster();
    const t = await tempDir('shoal-real-nodes-');
    cleanupDir = t.cleanup;
    const { createDriver } = await import('../services/node-agent/drivers/index.js');
    const { startNodeAgent } = await import('../services/node-agent/index.js');
    const { startScheduler } = await import('../services/scheduler/index.js');
    const { startControllers } = await import('../services/controllers/index.js');
    const common = { server: cluster.api.address, token: TEST_TOKEN, natsUrl: cluster.nats.url };
    scheduler = await startScheduler({ ...common, logger: quiet, podInitialBackoffMs: 100, podMaxBackoffMs: 500 });
    await scheduler.ready;
    const node = `real-docker-${process.pid}`;
    const dataDir = join(t.dir, node);
    driver = createDriver('docker', { node, dataDir, internalIP: '127.0.0.1', sandboxImage: 'shoal/pause:3.9' });
    agent = await startNodeAgent({
      ...common,
      nodeName: node,
      driver,
      dataDir,
      logger: quiet,
      leaseIntervalMs: 1000,
      backoff: { initialMs: 200, maxMs: 3_000, resetAfterMs: 60_000 },
    });
    await agent.ready;
    controllers = await startControllers({ ...common, leaderElection: false, logger: quiet, controllers: ['replicaset', 'deployment', 'garbage-collector'] });
    await controllers.ready;
  }, 60_000);

  afterAll(async () => {
    if (cluster) {
      const { client } = cluster;
      for (const d of (await client.list('Deployment', { namespace: NS }).catch(() => ({ items: [] }))).items) {
        await client.delete('Deployment', NS, d.metadata?.name ?? '').catch(() => undefined);
      }
      await eventually(async () => (await client.list('Pod', { namespace: NS })).items.length === 0, 'pods gone', 30_000).catch(() => undefined);
    }
    await controllers?.stop();
    await agent?.stop();
    if (driver) {
      // The agent leaves containers running when it stops, as a kubelet does: remove ours.
      const handles = await driver.recover().catch(() => []);
      for (const h of handles) {
        if (h.role === 'sandbox') continue;
        await driver.stopContainer(h.id, 0).catch(() => {});
        await driver.removeContainer(h.id).catch(() => {});
      }
      const uids = new Set(handles.map((h) => h.pod.uid));
      for (const h of handles) if (uids.delete(h.pod.uid)) await driver.removeSandbox(h.pod).catch(() => {});
      await driver.close();
    }
    await scheduler?.stop();
    await cluster?.stop();
    await cleanupDir?.();
    if (taggedV2) await run('docker', ['rmi', IMAGE_V2]).catch(() => undefined);
  }, 90_000);

  it('an image update rolls one pod at a time within maxSurge 1, maxUnavailable 0, minReadySeconds 1; undo restores the template', async () => {
    const { client } = cluster;
    await client.create(deploymentObject('roll', { replicas: 3, minReadySeconds: 1 }));
    await rolledOut(client, 'roll', 3, IMAGE);
    const original = (await client.get('Deployment', NS, 'roll')) as Deploy;
    const oldNames = new Set((await pods(client, 'roll')).map((p) => p.metadata?.name));

    // Every pod event of the rollout, through a watch.
    let minAvailable = Infinity;
    let maxPods = 0;
    const violations: string[] = [];
    /** When each old pod was first seen terminating, with the new pods' Ready times then. */
    const deletions: { at: number; newReadySince: number[] }[] = [];
    const seenTerminating = new Set<string>();
    const newPods = new Set<string>();
    let maxNewNotReady = 0;
    const observer = await observePods(client, 'roll', (live, ev) => {
      const alive = [...live.values()].filter((p) => !terminating(p));
      const available = alive.filter(isReady).length;
      minAvailable = Math.min(minAvailable, available);
      maxPods = Math.max(maxPods, alive.length);
      if (available < 3) violations.push(`${available} available after ${ev.type} ${ev.pod.metadata?.name}`);
      if (alive.length > 4) violations.push(`${alive.length} pods after ${ev.type} ${ev.pod.metadata?.name}`);
      const fresh = alive.filter((p) => !oldNames.has(p.metadata?.name));
      for (const p of fresh) newPods.add(p.metadata?.name ?? '');
      maxNewNotReady = Math.max(maxNewNotReady, fresh.filter((p) => !isReady(p)).length);
      const name = ev.pod.metadata?.name ?? '';
      if (oldNames.has(name) && terminating(ev.pod) && !seenTerminating.has(name)) {
        seenTerminating.add(name);
        deletions.push({ at: Date.now(), newReadySince: fresh.filter(isReady).map(readySince) });
      }
    });
    try {
      await setImage(client, 'roll', IMAGE_V2);
      await rolledOut(client, 'roll', 3, IMAGE_V2);
      // Let the last old pod's deletion reach the watch.
      await eventually(() => seenTerminating.size === 3, 'all three old pods deleted', 20_000);
    } finally {
      await observer.stop();
    }
    expect(violations).toEqual([]);
    expect(minAvailable).toBeGreaterThanOrEqual(3);
    expect(maxPods).toBeLessThanOrEqual(4);
    // The surge was used, and one new pod at a time came up.
    expect(maxPods).toBe(4);
    expect(maxNewNotReady).toBe(1);
    expect(newPods.size).toBe(3);
    // minReadySeconds: the k-th old pod went only once k new pods had been Ready for 1 s (by
    // the second-resolution transition times the controller itself reads).
    expect(deletions).toHaveLength(3);
    deletions.forEach((d, k) => {
      expect(d.newReadySince.filter((t) => t + 1000 <= d.at).length).toBeGreaterThanOrEqual(k + 1);
    });
    const rolled = (await client.get('Deployment', NS, 'roll')) as Deploy;
    expect(rolled.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');

    const io = captureIO();
    expect(await rolloutUndo(client, { target: 'deploy/roll', namespace: NS }, io)).toBe(0);
    expect(io.lines).toEqual(['deployment.apps/roll rolled back']);
    await rolledOut(client, 'roll', 3, IMAGE);
    const undone = (await client.get('Deployment', NS, 'roll')) as Deploy;
    expect(undone.spec?.template).toEqual(original.spec?.template);
    expect(undone.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    // Revision 1's ReplicaSet came back as revision 3, rather than a new one.
    const sets = (await client.list('ReplicaSet', { namespace: NS, labelSelector: 'app=roll' })).items as RS[];
    expect(sets).toHaveLength(2);
    const current = sets.find((rs) => rs.spec?.template?.spec?.containers?.[0]?.image === IMAGE);
    expect(current?.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(current?.status?.availableReplicas).toBe(3);
  }, 120_000);

  it('a failing image (ErrImagePull) trips progressDeadlineSeconds 5; rollout status exits 1 with kubectl\'s message', async () => {
    const { client } = cluster;
    await client.create(deploymentObject('broken', { replicas: 2, progressDeadlineSeconds: 5 }));
    await rolledOut(client, 'broken', 2, IMAGE);
    await setImage(client, 'broken', MISSING_IMAGE);
    const io = captureIO();
    const started = Date.now();
    expect(await rolloutStatus(client, { target: 'deploy/broken', namespace: NS, timeoutSeconds: 60 }, io)).toBe(1);
    const took = Date.now() - started;
    expect(io.errors).toEqual(['error: deployment "broken" exceeded its progress deadline']);
    expect(io.lines).toContain('Waiting for deployment "broken" rollout to finish: 1 out of 2 new replicas have been updated...');
    expect(took).toBeGreaterThanOrEqual(4_000);
    expect(took).toBeLessThan(30_000);
    const d = (await client.get('Deployment', NS, 'broken')) as Deploy;
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    // The new pod cannot pull its image; the old ones keep serving (maxUnavailable 0).
    const all = await pods(client, 'broken');
    const bad = all.filter((p) => imageOf(p) === MISSING_IMAGE);
    expect(bad).toHaveLength(1);
    await eventually(
      async () => {
        const p = (await client.get('Pod', NS, bad[0]!.metadata?.name ?? '')) as Pod;
        const reason = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
        return reason === 'ErrImagePull' || reason === 'ImagePullBackOff';
      },
      'the new pod waiting on ErrImagePull or ImagePullBackOff',
      10_000,
    );
    expect(all.filter((p) => imageOf(p) === IMAGE && isReady(p) && !terminating(p))).toHaveLength(2);
    // Asked again, rollout status still says so at once.
    const again = captureIO();
    expect(await rolloutStatus(client, { target: 'deploy/broken', namespace: NS, timeoutSeconds: 10 }, again)).toBe(1);
    expect(again.errors).toEqual(['error: deployment "broken" exceeded its progress deadline']);
  }, 120_000);
});

describe('a controller manager process killed in the middle of a scale-up', () => {
  let cluster: TestCluster;
  let cleanupDir: (() => Promise<void>) | undefined;
  let configPath = '';
  const children: ChildProcess[] = [];

  /** `shoal controllers` (cli/main.ts, from source through tsx) against the test cluster. */
  const spawnControllers = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', "import { main } from './cli/main.ts'; process.exitCode = await main(['controllers']);"], {
      cwd: ROOT,
      env: { ...process.env, SHOAL_CONFIG: configPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the controller manager did not get ready: ${out}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('controller manager running')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the controller manager exited (${code}): ${out}`));
      });
    });
    return child;
  };
  const exited = (child: ChildProcess): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));

  beforeAll(async () => {
    cluster = await startTestCluster();
    const t = await tempDir('shoal-cm-kill-');
    cleanupDir = t.cleanup;
    configPath = join(t.dir, 'config.yaml');
    await writeFile(configPath, toYaml({ server: cluster.api.address, token: TEST_TOKEN, nats: cluster.nats.url }));
  });

  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), 5_000);
        await exited(c);
        clearTimeout(t);
      }
    }
    await cluster?.stop();
    await cleanupDir?.();
  }, 30_000);

  it('converges to exactly 30 pods owned by the ReplicaSet, with no orphans, after a SIGKILL and a new manager', async () => {
    const { client } = cluster;
    const N = 30;
    const first = await spawnControllers();
    await client.create(deploymentObject('scale', { replicas: 0 }));
    let rs: RS | undefined;
    await eventually(
      async () => {
        rs = ((await client.list('ReplicaSet', { namespace: NS, labelSelector: 'app=scale' })).items as RS[])[0];
        return !!rs;
      },
      'the ReplicaSet of deployment scale',
      20_000,
    );

    // Count the pods through a watch; kill the manager once KILL_AT exist: the ReplicaSet
    // creates in slow-start batches of 1, 2, 4, 8, 16, so that is inside the third batch.
    const KILL_AT = 4;
    const { resourceVersion } = await client.list('Pod', { namespace: NS });
    const seen = new Set<string>();
    let enough!: () => void;
    const gotEnough = new Promise<void>((r) => (enough = r));
    const watcher = new AbortController();
    const watching = (async () => {
      for await (const ev of client.watch('Pod', { namespace: NS, resourceVersion, signal: watcher.signal })) {
        if (ev.type !== 'ADDED') continue;
        seen.add(ev.object.metadata?.name ?? '');
        if (seen.size >= KILL_AT) enough();
      }
    })().catch((err: unknown) => {
      if (!watcher.signal.aborted) throw err;
    });
    let killedAt: number | undefined;
    try {
      const io = captureIO();
      expect(await scale(client, { target: 'deploy/scale', replicas: N, namespace: NS }, io)).toBe(0);
      await within(gotEnough, 20_000, `${KILL_AT} pods after the scale-up`);
      first.kill('SIGKILL');
      killedAt = seen.size;
      await exited(first);
    } finally {
      watcher.abort();
      await watching;
    }
    // Let creates already sent land, then check the kill really came in the middle.
    await new Promise((r) => setTimeout(r, 500));
    const midway = (await client.list('Pod', { namespace: NS })).items.length;
    expect(killedAt).toBeGreaterThanOrEqual(KILL_AT);
    expect(midway).toBeGreaterThanOrEqual(KILL_AT);
    expect(midway).toBeLessThan(N);

    // The new manager waits out the dead one's lease (15 s), then finishes the job.
    await spawnControllers();
    const check = async (): Promise<string | undefined> => {
      const all = (await client.list('Pod', { namespace: NS })).items as Pod[];
      const sets = (await client.list('ReplicaSet', { namespace: NS })).items as RS[];
      if (sets.length !== 1 || sets[0]!.metadata?.uid !== rs!.metadata?.uid) return `ReplicaSets: ${sets.map((s) => s.metadata?.name).join(', ')}`;
      if (all.length !== N) return `${all.length} pods`;
      const owned = all.filter((p) => {
        const refs = p.metadata?.ownerReferences ?? [];
        const ctl = refs.filter((r) => r.controller);
        return ctl.length === 1 && ctl[0]!.kind === 'ReplicaSet' && ctl[0]!.uid === rs!.metadata?.uid && ctl[0]!.name === rs!.metadata?.name;
      });
      if (owned.length !== N) return `${N - owned.length} pods without the ReplicaSet as controller`;
      if (all.some(terminating)) return 'terminating pods';
      return undefined;
    };
    let last: string | undefined = 'not checked';
    await eventually(async () => (last = await check()) === undefined, `exactly ${N} owned pods (last: ${last})`, 60_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; last: ${last}`);
    });
    // And it stays so: nothing created or deleted for a while.
    const steady = (await client.list('Pod', { namespace: NS })).resourceVersion;
    const changes: string[] = [];
    for await (const ev of client.watch('Pod', { namespace: NS, resourceVersion: steady, signal: AbortSignal.timeout(3_000) })) {
      if (ev.type === 'ADDED' || ev.type === 'DELETED') changes.push(`${ev.type} ${ev.object.metadata?.name}`);
    }
    expect(changes).toEqual([]);
    expect(await check()).toBeUndefined();
    const status = ((await client.get('ReplicaSet', NS, rs!.metadata?.name ?? '')) as RS).status;
    expect(status?.replicas).toBe(N);
  }, 120_000);
});
