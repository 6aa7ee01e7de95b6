// Deployment reconcile against a fake client that records actions and fake informer caches
// (shared with controllers-replicaset.test.ts, in fake-controller-env.ts), as kubernetes/
// sample-controller tests its controller.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../lib/kinds.js';
import {
  calculateDeploymentStatus,
  findNewReplicaSet,
  getProportion,
  maxSurge,
  maxUnavailable,
  newDeploymentController,
  newRSNewReplicas,
} from '../services/controllers/deployment.js';
import { computeHash, equalIgnoreHash, type DeploymentObject, type ReplicaSetObject } from '../services/controllers/rollout.js';
import { FakeCache, FakeClient, fakeContext, fakeQueue } from './fake-controller-env.js';

// ---- fixtures ----

const T0 = Date.parse('2025-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface DeployOpts {
  replicas?: number;
  image?: string;
  strategy?: 'RollingUpdate' | 'Recreate';
  surge?: number | string;
  unavailable?: number | string;
  paused?: boolean;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  status?: DeploymentObject['status'];
  annotations?: Record<string, string>;
}

const ios = (v: number | string) => (typeof v === 'number' ? { intVal: v } : { strVal: v });

function template(image: string) {
  return {
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image, terminationMessagePath: '/dev/termination-log' }], restartPolicy: 'Always' },
  };
}

function deployment(o: DeployOpts = {}): DeploymentObject {
  const strategy =
    (o.strategy ?? 'RollingUpdate') === 'Recreate'
      ? { type: 'Recreate' }
      : { type: 'RollingUpdate', rollingUpdate: { maxSurge: ios(o.surge ?? 1), maxUnavailable: ios(o.unavailable ?? 0) } };
  const d: DeploymentObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 2, resourceVersion: '20', ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(o.image ?? 'v2'),
      strategy,
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
      ...(o.paused ? { paused: true } : {}),
    },
  };
  if (o.status) d.status = o.status;
  return d;
}

interface RSOpts {
  image: string;
  replicas: number;
  available?: number;
  statusReplicas?: number;
  revision: number;
  created?: number;
  desired?: number;
  max?: number;
  owner?: string | null;
}

function replicaSet(o: RSOpts): ReplicaSetObject {
  const hash = computeHash(template(o.image));
  const t = template(o.image);
  t.metadata.labels = { ...t.metadata.labels, 'pod-template-hash': hash } as { app: string };
  const owner = o.owner === undefined ? 'd-uid' : o.owner;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: 'default',
      uid: `uid-${o.image}`,
      generation: 1,
      resourceVersion: '7',
      creationTimestamp: iso(o.created ?? T0 + o.revision * 1000),
      labels: { app: 'web', 'pod-template-hash': hash },
      annotations: {
        'deployment.kubernetes.io/revision': String(o.revision),
        'deployment.kubernetes.io/desired-replicas': String(o.desired ?? 3),
        'deployment.kubernetes.io/max-replicas': String(o.max ?? 4),
      },
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: owner, controller: true, blockOwnerDeletion: true }] } : {}),
    },
    spec: { replicas: o.replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: t },
    status: { replicas: o.statusReplicas ?? o.replicas, readyReplicas: o.available ?? o.replicas, availableReplicas: o.available ?? o.replicas, observedGeneration: 1 },
  };
}

function setup(d: DeploymentObject, rsList: ReplicaSetObject[] = [], pods: KubeObject[] = []) {
  const client = new FakeClient();
  client.seed(d);
  for (const rs of rsList) client.seed(rs);
  const caches = { Deployment: new FakeCache(), ReplicaSet: new FakeCache(), Pod: new FakeCache() };
  const clock = { now: T0 + 600_000 };
  const { queue, keys } = fakeQueue();
  const reconcile = newDeploymentController().setup(fakeContext(client, caches, clock), queue);
  caches.Deployment.put(d);
  for (const rs of rsList) caches.ReplicaSet.put(rs);
  for (const p of pods) caches.Pod.put(p);
  keys.length = 0;
  return { client, caches, clock, reconcile, keys };
}

const rsWrites = (c: FakeClient) => c.writes().filter((a) => a.kind === 'ReplicaSet');
const scaledTo = (c: FakeClient) =>
  rsWrites(c)
    .filter((a) => a.verb === 'update')
    .map((a) => [a.name, (a.object?.spec as { replicas?: number }).replicas]);
const lastStatus = (c: FakeClient) =>
  c
    .writes()
    .filter((a) => a.verb === 'updateStatus' && a.kind === 'Deployment')
    .at(-1)?.object?.status as DeploymentObject['status'];

describe('Deployment helpers', () => {
  it('hashes templates stably, in safe characters, and differently per collision count', () => {
    const h = computeHash(template('v1'));
    expect(h).toBe(computeHash(structuredClone(template('v1'))));
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(computeHash(template('v2'))).not.toBe(h);
    expect(computeHash(template('v1'), 1)).not.toBe(h);
    // Key order does not matter.
    const t = template('v1');
    const reordered = { spec: t.spec, metadata: t.metadata };
    expect(computeHash(reordered)).toBe(h);
  });

  it('resolves maxSurge up and maxUnavailable down, never both zero', () => {
    expect([maxSurge(deployment({ replicas: 10, surge: '25%', unavailable: '25%' })), maxUnavailable(deployment({ replicas: 10, surge: '25%', unavailable: '25%' }))]).toEqual([3, 2]);
    expect([maxSurge(deployment({ replicas: 1, surge: '25%', unavailable: '25%' })), maxUnavailable(deployment({ replicas: 1, surge: '25%', unavailable: '25%' }))]).toEqual([1, 0]);
    expect(maxUnavailable(deployment({ replicas: 3, surge: '0%', unavailable: '10%' }))).toBe(1);
    expect(maxUnavailable(deployment({ replicas: 2, surge: 0, unavailable: 5 }))).toBe(2);
    expect([maxSurge(deployment({ strategy: 'Recreate' })), maxUnavailable(deployment({ strategy: 'Recreate' }))]).toEqual([0, 0]);
  });

  it('finds the new ReplicaSet ignoring the hash label; sizes it within maxSurge', () => {
    const d = deployment({ image: 'v2' });
    const old = replicaSet({ image: 'v1', replicas: 3, revision: 1 });
    const cur = replicaSet({ image: 'v2', replicas: 0, revision: 2 });
    expect(findNewReplicaSet(d, [old, cur])?.metadata?.name).toBe(cur.metadata?.name);
    expect(equalIgnoreHash(cur.spec?.template, d.spec?.template)).toBe(true);
    expect(newRSNewReplicas(d, [old, cur], cur)).toBe(1);
    // An old ReplicaSet still running more pods than its spec counts them.
    const shrinking = replicaSet({ image: 'v1', replicas: 2, statusReplicas: 3, revision: 1 });
    const one = replicaSet({ image: 'v2', replicas: 1, revision: 2 });
    expect(newRSNewReplicas(d, [shrinking, one], one)).toBe(1);
    expect(newRSNewReplicas(d, [{ ...shrinking, status: { replicas: 2 } }, one], one)).toBe(2);
  });

  it('proportions a resize between the ReplicaSets of a rollout', () => {
    const d = deployment({ replicas: 15, surge: 3, unavailable: 0 });
    const old = replicaSet({ image: 'v1', replicas: 8, revision: 1, max: 13 });
    const cur = replicaSet({ image: 'v2', replicas: 5, revision: 2, max: 13 });
    // allowed 18, now 13: +5; old gets round(8*18/13)-8 = 3, new round(5*18/13)-5 = 2.
    expect(getProportion(old, d, 5, 0)).toBe(3);
    expect(getProportion(cur, d, 5, 3)).toBe(2);
  });

  it('status: counts, updated replicas and the Available condition', () => {
    const d = deployment({ replicas: 3 });
    const old = replicaSet({ image: 'v1', replicas: 2, available: 2, revision: 1 });
    const cur = replicaSet({ image: 'v2', replicas: 2, available: 1, revision: 2 });
    const s = calculateDeploymentStatus(d, [old, cur], cur, T0);
    expect(s).toMatchObject({ observedGeneration: 2, replicas: 4, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 });
    expect(s.conditions?.find((c) => c.type === 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    const low = calculateDeploymentStatus(d, [replicaSet({ image: 'v1', replicas: 3, available: 2, revision: 1 })], undefined, T0);
    expect(low.conditions?.find((c) => c.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
  });
});

describe('Deployment controller (unit)', () => {
  it('creates the first ReplicaSet named by the template hash, with revision 1', async () => {
    const { client, reconcile } = setup(deployment({ image: 'v1' }));
    await reconcile('default/web');
    const create = rsWrites(client).find((a) => a.verb === 'create')!;
    const hash = computeHash(template('v1'));
    expect(create.name).toBe(`web-${hash}`);
    const rs = create.object as ReplicaSetObject;
    expect(rs.metadata?.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.spec?.selector?.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.spec?.template?.metadata?.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.spec?.replicas).toBe(3);
    expect(rs.metadata?.annotations).toEqual({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(rs.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true });
    const dUpdate = client.writes().find((a) => a.verb === 'update' && a.kind === 'Deployment');
    expect(dUpdate?.object?.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    const progressing = lastStatus(client)?.conditions?.find((c) => c.type === 'Progressing');
    expect(progressing).toMatchObject({ status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "web-${hash}"` });
  });

  it('rolling update with maxSurge 1 / maxUnavailable 0: one new pod, then one old pod, never below 3 available', async () => {
    const old = replicaSet({ image: 'v1', replicas: 3, revision: 1 });
    const s1 = setup(deployment({ image: 'v2' }), [old]);
    await s1.reconcile('default/web');
    const created = rsWrites(s1.client).find((a) => a.verb === 'create')!.object as ReplicaSetObject;
    expect(created.spec?.replicas).toBe(1);
    expect(created.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(scaledTo(s1.client)).toEqual([]); // 3 available, minAvailable 3: old stays

    // The new pod is available: the old ReplicaSet goes to 2.
    const cur = replicaSet({ image: 'v2', replicas: 1, revision: 2 });
    const s2 = setup(deployment({ image: 'v2' }), [old, cur]);
    await s2.reconcile('default/web');
    expect(scaledTo(s2.client)).toEqual([[old.metadata?.name, 2]]);

    // The new pod is not yet available: nothing may go.
    const s3 = setup(deployment({ image: 'v2' }), [old, replicaSet({ image: 'v2', replicas: 1, available: 0, revision: 2 })]);
    await s3.reconcile('default/web');
    expect(scaledTo(s3.client)).toEqual([]);

    // Old scaled to 2 and gone: the new ReplicaSet may grow to 2.
    const s4 = setup(deployment({ image: 'v2' }), [replicaSet({ image: 'v1', replicas: 2, revision: 1 }), cur]);
    await s4.reconcile('default/web');
    expect(scaledTo(s4.client)).toEqual([[cur.metadata?.name, 2]]);
  });

  it('scales down unavailable old pods first', async () => {
    const old = replicaSet({ image: 'v1', replicas: 3, available: 1, revision: 1 });
    const cur = replicaSet({ image: 'v2', replicas: 1, revision: 2 });
    const { client, reconcile } = setup(deployment({ image: 'v2', surge: 1, unavailable: 1 }), [old, cur]);
    await reconcile('default/web');
    // allPods 4, minAvailable 2, new unavailable 0: up to 2 may go; the 2 unhealthy go.
    expect(scaledTo(client)).toEqual([[old.metadata?.name, 1]]);
  });

  it('Recreate: old ReplicaSets to zero, then waits for their pods, then the new one', async () => {
    const old = replicaSet({ image: 'v1', replicas: 3, revision: 1 });
    const s1 = setup(deployment({ image: 'v2', strategy: 'Recreate' }), [old]);
    await s1.reconcile('default/web');
    expect(scaledTo(s1.client)).toEqual([[old.metadata?.name, 0]]);
    expect(rsWrites(s1.client).filter((a) => a.verb === 'create')).toEqual([]);

    const drained = replicaSet({ image: 'v1', replicas: 0, revision: 1 });
    const terminating: KubeObject = {
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default', labels: { app: 'web' }, deletionTimestamp: iso(T0), ownerReferences: [{ kind: 'ReplicaSet', name: drained.metadata?.name, uid: drained.metadata?.uid, controller: true }] },
      status: { phase: 'Running' },
    };
    const s2 = setup(deployment({ image: 'v2', strategy: 'Recreate' }), [{ ...drained, status: { replicas: 0, availableReplicas: 0 } }], [terminating]);
    await s2.reconcile('default/web');
    expect(rsWrites(s2.client).filter((a) => a.verb === 'create')).toEqual([]);

    const s3 = setup(deployment({ image: 'v2', strategy: 'Recreate' }), [{ ...drained, status: { replicas: 0, availableReplicas: 0 } }]);
    await s3.reconcile('default/web');
    const created = rsWrites(s3.client).find((a) => a.verb === 'create')!.object as ReplicaSetObject;
    expect(created.spec?.replicas).toBe(3);
  });

  it('proportional scaling mid-rollout when replicas change', async () => {
    // 10 replicas, maxSurge 3: a rollout in progress with 8 old and 5 new; scaled to 15.
    const old = replicaSet({ image: 'v1', replicas: 8, available: 8, revision: 1, desired: 10, max: 13 });
    const cur = replicaSet({ image: 'v2', replicas: 5, available: 0, revision: 2, desired: 10, max: 13 });
    const { client, reconcile } = setup(deployment({ image: 'v2', replicas: 15, surge: 3, unavailable: 0 }), [old, cur]);
    await reconcile('default/web');
    // allowed 15+3 = 18, +5: old 8 -> 11, new 5 -> 7.
    expect(Object.fromEntries(scaledTo(client))).toEqual({ [old.metadata!.name!]: 11, [cur.metadata!.name!]: 7 });
    const update = rsWrites(client).find((a) => a.verb === 'update')!;
    expect(update.object?.metadata?.annotations).toMatchObject({ 'deployment.kubernetes.io/desired-replicas': '15', 'deployment.kubernetes.io/max-replicas': '18' });
  });

  it('paused: no new ReplicaSet for a changed template, the Progressing condition says so, scaling still applies', async () => {
    const old = replicaSet({ image: 'v1', replicas: 3, revision: 1 });
    const { client, reconcile } = setup(deployment({ image: 'v2', paused: true, replicas: 5 }), [old]);
    await reconcile('default/web');
    expect(rsWrites(client).filter((a) => a.verb === 'create')).toEqual([]);
    expect(scaledTo(client)).toEqual([[old.metadata?.name, 5]]);
    const statuses = client.writes().filter((a) => a.verb === 'updateStatus');
    const progressing = (statuses[0]!.object?.status as DeploymentObject['status'])?.conditions?.find((c) => c.type === 'Progressing');
    expect(progressing).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused' });
  });

  it('revisionHistoryLimit: the oldest empty ReplicaSets are deleted once the rollout is complete', async () => {
    const rsList = [1, 2, 3].map((r) => replicaSet({ image: `v${r}`, replicas: 0, revision: r }));
    rsList.forEach((rs) => (rs.status = { replicas: 0, availableReplicas: 0, observedGeneration: 1 }));
    const cur = replicaSet({ image: 'v4', replicas: 3, revision: 4 });
    const complete = { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3 };
    const { client, reconcile } = setup(deployment({ image: 'v4', revisionHistoryLimit: 1, status: complete }), [...rsList, cur]);
    await reconcile('default/web');
    expect(rsWrites(client).filter((a) => a.verb === 'delete').map((a) => a.name)).toEqual([rsList[0]!.metadata?.name, rsList[1]!.metadata?.name]);
  });

  it('progress deadline: no progress past the deadline sets ProgressDeadlineExceeded; before it, requeues for then', async () => {
    const cur = replicaSet({ image: 'v2', replicas: 3, available: 0, revision: 2 });
    const stuck = {
      observedGeneration: 2,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 0,
      availableReplicas: 0,
      unavailableReplicas: 3,
      conditions: [
        { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastUpdateTime: iso(T0), lastTransitionTime: iso(T0) },
        { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: iso(T0), lastTransitionTime: iso(T0) },
      ],
    };
    const before = setup(deployment({ image: 'v2', progressDeadlineSeconds: 700, status: stuck }), [cur]);
    const result = await before.reconcile('default/web');
    expect(lastStatus(before.client)).toBeUndefined();
    expect(result).toMatchObject({ requeueAfter: 101_000 });

    const after = setup(deployment({ image: 'v2', progressDeadlineSeconds: 60, status: stuck }), [cur]);
    await after.reconcile('default/web');
    expect(lastStatus(after.client)?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${cur.metadata?.name}" has timed out progressing.`,
    });
  });

  it('completion: NewReplicaSetAvailable once all replicas are updated and available', async () => {
    const cur = replicaSet({ image: 'v2', replicas: 3, revision: 2 });
    const { client, reconcile } = setup(deployment({ image: 'v2' }), [cur]);
    await reconcile('default/web');
    expect(lastStatus(client)?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });

  it('adopts an orphan ReplicaSet that matches its selector, releases one that does not', async () => {
    const orphan = replicaSet({ image: 'v2', replicas: 3, revision: 1, owner: null });
    const stray = replicaSet({ image: 'v9', replicas: 0, revision: 0 });
    stray.metadata!.labels = { app: 'other' };
    const { client, reconcile } = setup(deployment({ image: 'v2' }), [orphan, stray]);
    await reconcile('default/web');
    const updates = rsWrites(client).filter((a) => a.verb === 'update');
    expect(updates.find((u) => u.name === orphan.metadata?.name)?.object?.metadata?.ownerReferences?.[0]).toMatchObject({ uid: 'd-uid', controller: true });
    expect(updates.find((u) => u.name === stray.metadata?.name)?.object?.metadata?.ownerReferences).toBeUndefined();
    // The adopted ReplicaSet is the new one: nothing is created.
    expect(rsWrites(client).filter((a) => a.verb === 'create')).toEqual([]);
  });

  it('is idempotent: a settled Deployment reconciled twice writes nothing', async () => {
    const cur = replicaSet({ image: 'v2', replicas: 3, revision: 2 });
    const s = setup(deployment({ image: 'v2', annotations: { 'deployment.kubernetes.io/revision': '2' } }), [cur]);
    await s.reconcile('default/web');
    s.caches.Deployment.put(s.client.server.get('Deployment/default/web')!);
    const n = s.client.writes().length;
    await s.reconcile('default/web');
    expect(s.client.writes().slice(n)).toEqual([]);
  });
});
