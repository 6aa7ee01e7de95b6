// The ReplicaSet and Deployment controllers against a real API server and NATS, run by a
// ControllerManager, with the rollout verbs of the CLI. Most tests simulate the kubelet (a
// watch that marks new pods Running and Ready); the last one runs a real scheduler and node
// agent with the process driver.
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readFile } from 'node:fs/promises';
import { retryOnConflict, type ShoalClient } from '../lib/client.js';
import { ConflictError, NotFoundError } from '../lib/errors.js';
import type { KubeObject } from '../lib/kinds.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { Deployment__Output } from '../lib/gen/shoal/v1/Deployment.js';
import type { ReplicaSet__Output } from '../lib/gen/shoal/v1/ReplicaSet.js';
import { ControllerManager } from '../services/controllers/framework.js';
import { replicaSetController } from '../services/controllers/replicaset.js';
import { deploymentController } from '../services/controllers/deployment.js';
import { rolloutHistory, rolloutPause, rolloutRestart, rolloutResume, rolloutStatus, rolloutUndo, scale } from '../cli/rollout.js';
import type { IO } from '../cli/commands.js';
import { TEST_TOKEN, eventually, startTestCluster, type TestCluster } from './harness.js';

type Pod = Pod__Output & KubeObject;
type Deploy = Deployment__Output & KubeObject;
type RS = ReplicaSet__Output & KubeObject;

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const NS = 'default';

function captureIO(): IO & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (t) => lines.push(t), err: (t) => errors.push(t) };
}

interface Controllers {
  nc: NatsConnection;
  stop(): Promise<void>;
}

async function startControllers(cluster: TestCluster): Promise<Controllers> {
  const nc = await connect({ servers: cluster.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const manager = new ControllerManager({ client: cluster.client, nc, metrics: new Registry(), logger: quiet });
  manager.add(replicaSetController);
  manager.add(deploymentController);
  const ac = new AbortController();
  const running = manager.run(ac.signal);
  return {
    nc,
    async stop() {
      ac.abort();
      await running;
      await nc.close();
    },
  };
}

/**
 * Plays the kubelet for pods in NS: marks each new pod Running and Ready after `readyDelayMs`,
 * except pods whose image is "bad" (they stay Pending, never ready).
 */
function startFakeKubelet(client: ShoalClient, readyDelayMs = 100): { stop(): Promise<void> } {
  const ac = new AbortController();
  const seen = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const markReady = async (name: string): Promise<void> => {
    try {
      await retryOnConflict(async () => {
        const pod = (await client.get('Pod', NS, name)) as Pod;
        if (pod.metadata?.deletionTimestamp) return;
        const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        const containers = pod.spec?.containers ?? [];
        await client.updateStatus({
          ...pod,
          status: {
            phase: 'Running',
            startTime: now,
            conditions: [
              { type: 'Ready', status: 'True', lastTransitionTime: now },
              { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
            ],
            containerStatuses: containers.map((c) => ({ name: c.name, image: c.image, ready: true, started: true, restartCount: 0 })),
          },
        });
      });
    } catch (err) {
      if (!(err instanceof NotFoundError) && !(err instanceof ConflictError) && !ac.signal.aborted) throw err;
    }
  };
  const handle = (pod: Pod): void => {
    const uid = pod.metadata?.uid ?? '';
    if (seen.has(uid) || pod.spec?.nodeName) return;
    seen.add(uid);
    if (pod.spec?.containers?.some((c) => c.image === 'bad')) return;
    const t = setTimeout(() => {
      timers.delete(t);
      void markReady(pod.metadata?.name ?? '');
    }, readyDelayMs);
    timers.add(t);
  };
  const loop = (async () => {
    while (!ac.signal.aborted) {
      try {
        const list = await client.list('Pod', { namespace: NS });
        (list.items as Pod[]).forEach(handle);
        for await (const ev of client.watch('Pod', { namespace: NS, resourceVersion: list.resourceVersion, signal: ac.signal })) {
          if (ev.type === 'ADDED') handle(ev.object as Pod);
        }
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  })();
  return {
    async stop() {
      ac.abort();
      for (const t of timers) clearTimeout(t);
      await loop;
    },
  };
}

interface DeployOpts {
  replicas?: number;
  image?: string;
  strategy?: 'RollingUpdate' | 'Recreate';
  surge?: number;
  unavailable?: number;
  minReadySeconds?: number;
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
}

function deploymentObject(name: string, o: DeployOpts = {}): KubeObject {
  const spec: Record<string, unknown> = {
    replicas: o.replicas ?? 3,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: o.image ?? 'v1' }] } },
    minReadySeconds: o.minReadySeconds ?? 0,
  };
  if (o.strategy === 'Recreate') spec.strategy = { type: 'Recreate' };
  else spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: { intVal: o.surge ?? 1 }, maxUnavailable: { intVal: o.unavailable ?? 0 } } };
  if (o.progressDeadlineSeconds !== undefined) spec.progressDeadlineSeconds = o.progressDeadlineSeconds;
  if (o.revisionHistoryLimit !== undefined) spec.revisionHistoryLimit = o.revisionHistoryLimit;
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

async function replicaSets(client: ShoalClient, app: string): Promise<RS[]> {
  return (await client.list('ReplicaSet', { namespace: NS, labelSelector: `app=${app}` })).items as RS[];
}

async function deploymentOf(client: ShoalClient, name: string): Promise<Deploy> {
  return (await client.get('Deployment', NS, name)) as Deploy;
}

const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Kubernetes' IsPodAvailable: Ready, and Ready since at least minReadySeconds before `now`. */
function isAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
  if (!ready) return false;
  if (minReadySeconds === 0) return true;
  const since = Date.parse(ready.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

/** Waits until the Deployment's rollout is complete: every replica updated and available. */
async function rolledOut(client: ShoalClient, name: string, replicas: number, timeoutMs = 20_000): Promise<void> {
  await eventually(
    async () => {
      const d = await deploymentOf(client, name);
      const s = d.status ?? {};
      return (
        (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        s.updatedReplicas === replicas &&
        s.replicas === replicas &&
        s.availableReplicas === replicas &&
        (await pods(client, name)).filter((p) => !p.metadata?.deletionTimestamp).length === replicas
      );
    },
    `deployment ${name} rolled out with ${replicas} replicas`,
    timeoutMs,
  );
}

/** Follows the pods of `app` through a watch, calling `check` with the live set after each event. */
function observePods(client: ShoalClient, app: string, fromRevision: string, check: (live: Map<string, Pod>) => void): { stop(): Promise<void> } {
  const ac = new AbortController();
  const live = new Map<string, Pod>();
  const loop = (async () => {
    const initial = await client.list('Pod', { namespace: NS, labelSelector: `app=${app}` });
    for (const p of initial.items as Pod[]) live.set(p.metadata?.name ?? '', p);
    check(live);
    for await (const ev of client.watch('Pod', { namespace: NS, labelSelector: `app=${app}`, resourceVersion: fromRevision || initial.resourceVersion, signal: ac.signal })) {
      if (ev.type === 'BOOKMARK') continue;
      const name = ev.object.metadata?.name ?? '';
      if (ev.type === 'DELETED') live.delete(name);
      else live.set(name, ev.object as Pod);
      check(live);
    }
  })();
  return {
    async stop() {
      ac.abort();
      await loop;
    },
  };
}

describe('workload controllers (simulated kubelet)', () => {
  let cluster: TestCluster;
  let controllers: Controllers;
  let kubelet: { stop(): Promise<void> };

  beforeAll(async () => {
    cluster = await startTestCluster();
    controllers = await startControllers(cluster);
    kubelet = startFakeKubelet(cluster.client);
  }, 60_000);

  afterAll(async () => {
    await kubelet?.stop();
    await controllers?.stop();
    await cluster?.stop();
  });

  it('a Deployment reaches 3 available replicas through a hash-named ReplicaSet; rollout status says so', async () => {
    const { client } = cluster;
    await client.create(deploymentObject('web'));
    await rolledOut(client, 'web', 3);
    const [rs] = await replicaSets(client, 'web');
    const hash = rs!.metadata?.labels?.['pod-template-hash'];
    expect(rs!.metadata?.name).toBe(`web-${hash}`);
    expect(rs!.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    const d = await deploymentOf(client, 'web');
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    for (const p of await pods(client, 'web')) {
      expect(p.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: rs!.metadata?.name, controller: true, blockOwnerDeletion: true });
      expect(p.metadata?.labels?.['pod-template-hash']).toBe(hash);
    }
    const io = captureIO();
    expect(await rolloutStatus(client, { target: 'deploy/web', namespace: NS, timeoutSeconds: 10 }, io)).toBe(0);
    expect(io.lines).toEqual(['deployment "web" successfully rolled out']);
    // Events: the Deployment scaled its ReplicaSet up, the ReplicaSet created pods.
    await eventually(async () => {
      const events = (await client.list('Event', { namespace: NS })).items as { reason?: string; message?: string; involvedObject?: { kind?: string } }[];
      return (
        events.some((e) => e.involvedObject?.kind === 'Deployment' && e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set web-${hash} to 3`) &&
        events.filter((e) => e.involvedObject?.kind === 'ReplicaSet' && e.reason === 'SuccessfulCreate').length >= 3
      );
    }, 'ScalingReplicaSet and SuccessfulCreate events');
  });

  it('replaces a deleted pod; a deleted ReplicaSet is recreated by its Deployment', async () => {
    const { client } = cluster;
    await client.create(deploymentObject('heal', { replicas: 2 }));
    await rolledOut(client, 'heal', 2);
    const [victim] = await pods(client, 'heal');
    await client.delete('Pod', NS, victim!.metadata!.name!);
    await eventually(async () => {
      const ps = await pods(client, 'heal');
      return ps.length === 2 && !ps.some((p) => p.metadata?.uid === victim!.metadata?.uid) && ps.every(isReady);
    }, 'the deleted pod replaced');

    const [rs] = await replicaSets(client, 'heal');
    await client.delete('ReplicaSet', NS, rs!.metadata!.name!);
    await eventually(async () => {
      const list = await replicaSets(client, 'heal');
      return list.length === 1 && list[0]!.metadata?.name === rs!.metadata?.name && list[0]!.metadata?.uid !== rs!.metadata?.uid && list[0]!.status?.availableReplicas === 2;
    }, 'the ReplicaSet recreated with 2 available pods');
  });

  it('scale up and down with `shoal scale`', async () => {
    const { client } = cluster;
    await client.create(deploymentObject('scaler', { replicas: 2 }));
    await rolledOut(client, 'scaler', 2);
    const io = captureIO();
    expect(await scale(client, { target: 'deploy/scaler', replicas: 5, namespace: NS }, io)).toBe(0);
    expect(io.lines).toEqual(['deployment.apps/scaler scaled']);
    await rolledOut(client, 'scaler', 5);
    expect(await scale(client, { target: 'deployment/scaler', replicas: 1, namespace: NS }, io)).toBe(0);
    await rolledOut(client, 'scaler', 1);
    const [rs] = await replicaSets(client, 'scaler');
    expect(rs!.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe('1');
    // A ReplicaSet scaled directly.
    await client.create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'bare', namespace: NS },
      spec: { replicas: 1, selector: { matchLabels: { app: 'bare' } }, template: { metadata: { labels: { app: 'bare' } }, spec: { containers: [{ name: 'app', image: 'v1' }] } } },
    });
    expect(await scale(client, { target: 'rs/bare', replicas: 3, namespace: NS }, io)).toBe(0);
    expect(io.lines.at(-1)).toBe('replicaset.apps/bare scaled');
    await eventually(async () => (await pods(client, 'bare')).filter(isReady).length === 3, 'rs/bare at 3 ready pods');
    expect(await scale(client, { target: 'rs/bare', replicas: -1, namespace: NS }, io)).toBe(1);
  });

  it('a rolling update with maxSurge 1, maxUnavailable 0 never has more than 4 pods nor fewer than 3 available', async () => {
    const { client } = cluster;
    await client.create(deploymentObject('roll', { replicas: 3, surge: 1, unavailable: 0, minReadySeconds: 1 }));
    await rolledOut(client, 'roll', 3);
    const violations: string[] = [];
    let maxSeen = 0;
    const watcher = observePods(client, 'roll', '', (live) => {
      const active = [...live.values()].filter((p) => !p.metadata?.deletionTimestamp);
      maxSeen = Math.max(maxSeen, active.length);
      // Available, not merely ready: Ready for at least minReadySeconds (1) at this state.
      // (Availability only grows between events, so checking at each event suffices.)
      const available = active.filter((p) => isAvailable(p, 1, Date.now())).length;
      if (active.length > 4) violations.push(`${active.length} pods`);
      if (available < 3) violations.push(`${available} available`);
    });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await setImage(client, 'roll', 'v2');
    const io = captureIO();
    expect(await rolloutStatus(client, { target: 'deploy/roll', namespace: NS, timeoutSeconds: 30 }, io)).toBe(0);
    await rolledOut(client, 'roll', 3);
    await watcher.stop();
    expect(violations).toEqual([]);
    expect(maxSeen).toBe(4);
    // Three steps, each waiting for minReadySeconds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(io.lines[0]).toMatch(/^Waiting for deployment (spec update to be observed|"roll" rollout to finish: )/);
    expect(io.lines).toContain('deployment "roll" successfully rolled out');
    expect(io.lines.some((l) => / out of 3 new replicas have been updated\.\.\.$/.test(l))).toBe(true);
    const rsList = await replicaSets(client, 'roll');
    expect(rsList).toHaveLength(2);
    const byRevision: Record<string, number> = {};
    for (const rs of rsList) byRevision[rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? ''] = rs.spec?.replicas ?? -1;
    expect(byRevision).toEqual({ '1': 0, '2': 3 });
    for (const p of await pods(client, 'roll')) expect(p.spec?.containers?.[0]?.image).toBe('v2');
  });

  it('rollout history lists revisions; undo returns to the previous template (and to a chosen revision)', async () => {
    const { client } = cluster;
    // "roll" is at revision 2 (v2) after the previous test.
    const io = captureIO();
    expect(await rolloutHistory(client, { target: 'deploy/roll', namespace: NS }, io)).toBe(0);
    expect(io.lines.join('')).toBe('deployment.apps/roll \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n');
    expect(await rolloutHistory(client, { target: 'deploy/roll', namespace: NS, revision: 1 }, io)).toBe(0);
    const detail = io.lines.at(-1)!;
    expect(detail).toMatch(/^deployment\.apps\/roll with revision #1\nPod Template:\n/);
    expect(detail).toMatch(/Image:\s+v1/);

    expect(await rolloutUndo(client, { target: 'deploy/roll', namespace: NS }, io)).toBe(0);
    expect(io.lines.at(-1)).toBe('deployment.apps/roll rolled back');
    await eventually(async () => (await deploymentOf(client, 'roll')).metadata?.annotations?.['deployment.kubernetes.io/revision'] === '3', 'revision 3');
    await rolledOut(client, 'roll', 3);
    for (const p of await pods(client, 'roll')) expect(p.spec?.containers?.[0]?.image).toBe('v1');
    const d = await deploymentOf(client, 'roll');
    expect(d.spec?.template?.metadata?.labels).toEqual({ app: 'roll' });
    // Revision 1's ReplicaSet became revision 3: history shows 2 and 3.
    expect(await rolloutHistory(client, { target: 'deploy/roll', namespace: NS }, io)).toBe(0);
    expect(io.lines.at(-1)).toBe('deployment.apps/roll \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n');

    expect(await rolloutUndo(client, { target: 'deploy/roll', namespace: NS, toRevision: 3 }, io)).toBe(0);
    expect(io.lines.at(-1)).toBe('deployment.apps/roll skipped rollback (current template already matches revision 3)');
    expect(await rolloutUndo(client, { target: 'deploy/roll', namespace: NS, toRevision: 9 }, io)).toBe(1);
    expect(io.errors.at(-1)).toBe('error: unable to find specified revision 9 in history');
    expect(await rolloutUndo(client, { target: 'deploy/roll', namespace: NS, toRevision: 2 }, io)).toBe(0);
    await rolledOut(client, 'roll', 3);
    for (const p of await pods(client, 'roll')) expect(p.spec?.containers?.[0]?.image).toBe('v2');
  });

  it('Recreate never runs old and new pods at the same time', async () => {
    const { client } = cluster;
    await client.create(deploymentObject('recreate', { replicas: 3, strategy: 'Recreate' }));
    await rolledOut(client, 'recreate', 3);
    const overlaps: string[] = [];
    const watcher = observePods(client, 'recreate', '', (live) => {
      const hashes = new Set([...live.values()].map((p) => p.metadata?.labels?.['pod-template-hash']));
      if (hashes.size > 1) overlaps.push([...hashes].join(','));
    });
    await new Promise((r) => setTimeout(r, 200));
    await setImage(client, 'recreate', 'v2');
    await rolledOut(client, 'recreate', 3);
    await watcher.stop();
    expect(overlaps).toEqual([]);
    for (const p of await pods(client, 'recreate')) expect(p.spec?.containers?.[0]?.image).toBe('v2');
  });

  it('pause holds a template change back (scaling still applies); resume rolls it out', async () => {
    const { client } = cluster;
    await client.create(deploymentObject('paused', { replicas: 2 }));
    await rolledOut(client, 'paused', 2);
    const io = captureIO();
    expect(await rolloutPause(client, { target: 'deploy/paused', namespace: NS }, io)).toBe(0);
    expect(io.lines).toEqual(['deployment.apps/paused paused']);
    expect(await rolloutPause(client, { target: 'deploy/paused', namespace: NS }, io)).toBe(1);
    expect(io.errors.at(-1)).toBe('error: deployments.apps "paused" is already paused');
    await setImage(client, 'paused', 'v2');
    await eventually(
      async () => (await deploymentOf(client, 'paused')).status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'DeploymentPaused') ?? false,
      'the DeploymentPaused condition',
    );
    expect(await scale(client, { target: 'deploy/paused', replicas: 3, namespace: NS }, io)).toBe(0);
    await eventually(async () => (await pods(client, 'paused')).filter(isReady).length === 3, 'scaled to 3 while paused');
    await new Promise((r) => setTimeout(r, 500));
    expect(await replicaSets(client, 'paused')).toHaveLength(1);
    for (const p of await pods(client, 'paused')) expect(p.spec?.containers?.[0]?.image).toBe('v1');
    expect(await rolloutUndo(client, { target: 'deploy/paused', namespace: NS }, io)).toBe(1);
    expect(await rolloutRestart(client, { target: 'deploy/paused', namespace: NS }, io)).toBe(1);

    expect(await rolloutResume(client, { target: 'deploy/paused', namespace: NS }, io)).toBe(0);
    expect(io.lines.at(-1)).toBe('deployment.apps/paused resumed');
    await rolledOut(client, 'paused', 3);
    for (const p of await pods(client, 'paused')) expect(p.spec?.containers?.[0]?.image).toBe('v2');
  });

  it('restart rolls out new pods through a restartedAt annotation', async () => {
    const { client } = cluster;
    await client.create(deploymentObject('restart', { replicas: 2 }));
    await rolledOut(client, 'restart', 2);
    const before = new Set((await pods(client, 'restart')).map((p) => p.metadata?.uid));
    const io = captureIO();
    expect(await rolloutRestart(client, { target: 'deploy/restart', namespace: NS }, io)).toBe(0);
    expect(io.lines).toEqual(['deployment.apps/restart restarted']);
    const d = await deploymentOf(client, 'restart');
    expect(d.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT/);
    await rolledOut(client, 'restart', 2);
    const after = await pods(client, 'restart');
    expect(after.some((p) => before.has(p.metadata?.uid))).toBe(false);
  });

  it('a rollout that makes no progress exceeds its deadline; rollout status exits 1; --timeout exits 1', async () => {
    const { client } = cluster;
    await client.create(deploymentObject('stuck', { replicas: 2, progressDeadlineSeconds: 2 }));
    await rolledOut(client, 'stuck', 2);
    await setImage(client, 'stuck', 'bad');
    const io = captureIO();
    const started = Date.now();
    expect(await rolloutStatus(client, { target: 'deploy/stuck', namespace: NS, timeoutSeconds: 20 }, io)).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(io.errors).toEqual(['error: deployment "stuck" exceeded its progress deadline']);
    expect(io.lines.some((l) => l.startsWith('Waiting for deployment "stuck" rollout to finish: '))).toBe(true);
    const d = await deploymentOf(client, 'stuck');
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    // The old pods stay: maxUnavailable 0.
    expect((await pods(client, 'stuck')).filter((p) => p.spec?.containers?.[0]?.image === 'v1' && isReady(p))).toHaveLength(2);

    await client.create(deploymentObject('slow', { replicas: 1, image: 'bad', progressDeadlineSeconds: 600 }));
    const io2 = captureIO();
    const t0 = Date.now();
    expect(await rolloutStatus(client, { target: 'deploy/slow', namespace: NS, timeoutSeconds: 1 }, io2)).toBe(1);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(io2.errors).toEqual(['error: timed out waiting for the condition']);
  });

  it('revisionHistoryLimit keeps only that many old ReplicaSets', async () => {
    const { client } = cluster;
    await client.create(deploymentObject('history', { replicas: 1, revisionHistoryLimit: 1 }));
    await rolledOut(client, 'history', 1);
    for (const image of ['v2', 'v3', 'v4']) {
      await setImage(client, 'history', image);
      await rolledOut(client, 'history', 1);
    }
    await eventually(async () => (await replicaSets(client, 'history')).length === 2, 'two ReplicaSets left');
    const revisions = (await replicaSets(client, 'history')).map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision']).sort();
    expect(revisions).toEqual(['3', '4']);
  });

  it('scaling in the middle of a rollout is proportional across the ReplicaSets', async () => {
    const { client } = cluster;
    await client.create(deploymentObject('prop', { replicas: 10, surge: 3, unavailable: 0 }));
    await rolledOut(client, 'prop', 10);
    // The new pods never become ready: the rollout stops at 10 old + 3 new.
    await setImage(client, 'prop', 'bad');
    const sizes = async (): Promise<Record<string, number>> =>
      Object.fromEntries((await replicaSets(client, 'prop')).map((rs) => [rs.spec?.template?.spec?.containers?.[0]?.image ?? '', rs.spec?.replicas ?? 0]));
    await eventually(async () => JSON.stringify(await sizes()) === JSON.stringify({ v1: 10, bad: 3 }) || JSON.stringify(await sizes()) === JSON.stringify({ bad: 3, v1: 10 }), '10 old + 3 new');
    await scale(client, { target: 'deploy/prop', replicas: 15, namespace: NS }, captureIO());
    // allowed 15 + 4 (25%... here maxSurge 3) = 18: +5 split 10:3 -> old round(10*18/13)=14 (+4), new +1.
    await eventually(async () => {
      const s = await sizes();
      return s.v1 === 14 && s.bad === 4;
    }, 'proportionally scaled to 14 old + 4 new');
    await new Promise((r) => setTimeout(r, 300));
    expect(await sizes()).toEqual({ v1: 14, bad: 4 });
  });

  it('a ReplicaSet adopts a matching orphan pod and releases a pod whose labels stop matching', async () => {
    const { client } = cluster;
    await client.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: NS, labels: { app: 'adopt' } }, spec: { containers: [{ name: 'app', image: 'v1' }] } });
    await client.create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'adopt', namespace: NS },
      spec: { replicas: 2, selector: { matchLabels: { app: 'adopt' } }, template: { metadata: { labels: { app: 'adopt' } }, spec: { containers: [{ name: 'app', image: 'v1' }] } } },
    });
    await eventually(async () => (await pods(client, 'adopt')).length === 2, 'two pods');
    const rs = await client.get('ReplicaSet', NS, 'adopt');
    const stray = (await client.get('Pod', NS, 'stray')) as Pod;
    expect(stray.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'adopt', uid: rs.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
    // Only one pod was created: the orphan filled the other replica.
    await new Promise((r) => setTimeout(r, 300));
    expect(await pods(client, 'adopt')).toHaveLength(2);

    await retryOnConflict(async () => {
      const p = (await client.get('Pod', NS, 'stray')) as Pod;
      p.metadata!.labels = { app: 'elsewhere' };
      await client.update(p);
    });
    await eventually(async () => {
      const p = (await client.get('Pod', NS, 'stray')) as Pod;
      return !p.metadata?.ownerReferences?.length && (await pods(client, 'adopt')).length === 2;
    }, 'released and replaced');
    await eventually(async () => (await client.get('ReplicaSet', NS, 'adopt')).status !== undefined && ((await client.get('ReplicaSet', NS, 'adopt')) as RS).status?.readyReplicas === 2, 'status readyReplicas 2');
    const status = ((await client.get('ReplicaSet', NS, 'adopt')) as RS).status;
    expect(status).toMatchObject({ replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
  });
});

describe('workload controllers (real scheduler and node agent, process driver)', () => {
  let cluster: TestCluster;
  let controllers: Controllers;
  let scheduler: { stop(): Promise<void> };
  let agent: { stop(): Promise<void>; ready: Promise<void> };
  let driver: { close(): Promise<void> };

  beforeAll(async () => {
    cluster = await startTestCluster();
    const { createDriver } = await import('../services/node-agent/drivers/index.js');
    const { startNodeAgent } = await import('../services/node-agent/index.js');
    const { startScheduler } = await import('../services/scheduler/index.js');
    const common = { server: cluster.api.address, token: TEST_TOKEN, natsUrl: cluster.nats.url };
    const s = await startScheduler({ ...common, logger: quiet, podInitialBackoffMs: 100, podMaxBackoffMs: 500 });
    scheduler = s;
    await s.ready;
    const dataDir = join(cluster.dataDir, 'node');
    const node = `workloads-${process.pid}`;
    const d = createDriver('process', { node, dataDir });
    driver = d;
    agent = await startNodeAgent({ ...common, nodeName: node, driver: d, dataDir, logger: quiet, leaseIntervalMs: 1000 });
    await agent.ready;
    controllers = await startControllers(cluster);
  }, 60_000);

  afterAll(async () => {
    for (const d of (await cluster?.client.list('Deployment', { namespace: NS }).catch(() => ({ items: [] })))?.items ?? []) {
      await cluster.client.delete('Deployment', NS, d.metadata?.name ?? '').catch(() => undefined);
    }
    for (const rs of (await cluster?.client.list('ReplicaSet', { namespace: NS }).catch(() => ({ items: [] })))?.items ?? []) {
      await cluster.client.update({ ...rs, spec: { ...(rs.spec as object), replicas: 0 } }).catch(() => undefined);
    }
    await controllers?.stop();
    for (const p of (await cluster?.client.list('Pod', { namespace: NS }).catch(() => ({ items: [] })))?.items ?? []) {
      await cluster.client.delete('Pod', NS, p.metadata?.name ?? '', { gracePeriodSeconds: 0 }).catch(() => undefined);
    }
    await eventually(async () => (await cluster.client.list('Pod', { namespace: NS })).items.length === 0, 'pods gone', 20_000).catch(() => undefined);
    await agent?.stop();
    await driver?.close();
    await scheduler?.stop();
    await cluster?.stop();
  }, 60_000);

  it('the seed nginx Deployment (busybox image, a sleep command) reaches 3 available replicas', async () => {
    const { client } = cluster;
    const text = await readFile(new URL('../../shared/manifests/seed/nginx-deployment.yaml', import.meta.url), 'utf8');
    const doc = parseYaml(text) as { spec: { template: { spec: { containers: { image: string; command?: string[] }[] } } } };
    for (const c of doc.spec.template.spec.containers) {
      c.image = 'shoal/busybox:1.36';
      c.command = ['sleep', '3600'];
    }
    await client.apply(JSON.stringify(doc), { namespace: NS });
    // minReadySeconds is 10 in the seed.
    await eventually(
      async () => {
        const d = (await client.get('Deployment', NS, 'nginx-deployment')) as Deploy;
        return d.status?.availableReplicas === 3 && d.status.updatedReplicas === 3;
      },
      'nginx-deployment with 3 available replicas',
      45_000,
    );
    const running = (await pods(client, 'nginx')).filter((p) => p.status?.phase === 'Running' && isReady(p) && p.spec?.nodeName);
    expect(running).toHaveLength(3);
    const io = captureIO();
    expect(await rolloutStatus(client, { target: 'deployment/nginx-deployment', namespace: NS, timeoutSeconds: 10 }, io)).toBe(0);
    expect(io.lines.at(-1)).toBe('deployment "nginx-deployment" successfully rolled out');
  }, 60_000);
});
