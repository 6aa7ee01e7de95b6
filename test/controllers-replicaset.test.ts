// ReplicaSet reconcile against a fake client that records actions and fake informer caches,
// as kubernetes/sample-controller tests its controller.
import { describe, expect, it } from 'vitest';
import { InvalidError } from '../lib/errors.js';
import type { KubeObject } from '../lib/kinds.js';
import { newReplicaSetController } from '../services/controllers/replicaset.js';
import { comparePodsForDeletion, type PodObject } from '../services/controllers/rollout.js';
import { FakeCache, FakeClient, fakeContext, fakeQueue } from './fake-controller-env.js';

// ---- fixtures ----

const T0 = Date.parse('2025-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function rs(replicas: number, extra: { minReadySeconds?: number; deleting?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'rs-uid',
      generation: 1,
      resourceVersion: '10',
      ...(extra.deleting ? { deletionTimestamp: iso(T0) } : {}),
    },
    spec: {
      replicas,
      minReadySeconds: extra.minReadySeconds ?? 0,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  };
}

interface PodOpts {
  owner?: string | null;
  node?: string;
  phase?: string;
  readySince?: number;
  restarts?: number;
  created?: number;
  labels?: Record<string, string>;
  deleting?: boolean;
}

function pod(name: string, o: PodOpts = {}): PodObject {
  const owner = o.owner === undefined ? 'rs-uid' : o.owner;
  const p: PodObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '5',
      creationTimestamp: iso(o.created ?? T0),
      labels: o.labels ?? { app: 'web', tier: 'front' },
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: owner, controller: true, blockOwnerDeletion: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readySince !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: iso(o.readySince) }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0, ready: o.readySince !== undefined }],
    },
  };
  return p;
}

function setup(rsObj: KubeObject, pods: KubeObject[] = []) {
  const client = new FakeClient();
  client.seed(rsObj);
  const caches = { ReplicaSet: new FakeCache(), Pod: new FakeCache() };
  const clock = { now: T0 + 60_000 };
  const controller = newReplicaSetController();
  const { queue, keys } = fakeQueue();
  const reconcile = controller.setup(fakeContext(client, caches, clock), queue);
  caches.ReplicaSet.put(rsObj);
  for (const p of pods) caches.Pod.put(p);
  keys.length = 0;
  return { client, caches, clock, reconcile, controller, keys };
}

describe('ReplicaSet controller (unit)', () => {
  it('creates missing pods from the template with an owner reference', async () => {
    const { client, reconcile } = setup(rs(3));
    await reconcile('default/web');
    const creates = client.writes().filter((a) => a.verb === 'create');
    expect(creates).toHaveLength(3);
    for (const c of creates) {
      expect(c.kind).toBe('Pod');
      expect(c.object?.metadata?.generateName).toBe('web-');
      expect(c.object?.metadata?.labels).toEqual({ app: 'web', tier: 'front' });
      expect(c.object?.metadata?.ownerReferences).toEqual([
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true },
      ]);
    }
    const status = client.writes().find((a) => a.verb === 'updateStatus');
    expect(status?.object?.status).toEqual({ replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 });
    // SuccessfulCreate events are written for each pod.
    expect(client.actions.filter((a) => a.kind === 'Event')).toHaveLength(3);
  });

  it('expectations: does not create again before the informer has seen its creates', async () => {
    const { client, caches, reconcile, keys } = setup(rs(3));
    await reconcile('default/web');
    expect(client.writes().filter((a) => a.verb === 'create')).toHaveLength(3);
    // The cache has not caught up: a second pass must not create three more.
    await reconcile('default/web');
    await reconcile('default/web');
    expect(client.writes().filter((a) => a.verb === 'create')).toHaveLength(3);
    // Two of the three are observed: still waiting for the third.
    const created = client.writes().filter((a) => a.verb === 'create').map((a) => client.server.get(`Pod/default/${a.name}`)!);
    caches.Pod.put(created[0]!);
    caches.Pod.put(created[1]!);
    expect(keys).toEqual(['default/web', 'default/web']);
    await reconcile('default/web');
    expect(client.writes().filter((a) => a.verb === 'create')).toHaveLength(3);
    // A pod deleted by someone else while we wait: after the last observation we replace it.
    caches.Pod.put(created[2]!);
    caches.Pod.remove(created[0]!);
    await reconcile('default/web');
    expect(client.writes().filter((a) => a.verb === 'create')).toHaveLength(4);
  });

  it('expectations expire after their TTL so a lost event cannot wedge the ReplicaSet', async () => {
    const { client, clock, reconcile } = setup(rs(2));
    await reconcile('default/web');
    expect(client.writes().filter((a) => a.verb === 'create')).toHaveLength(2);
    clock.now += 5 * 60_000 + 1;
    await reconcile('default/web');
    expect(client.writes().filter((a) => a.verb === 'create')).toHaveLength(4);
  });

  it('scales down deleting the least valuable pods first', async () => {
    const pods = [
      pod('ready-old', { node: 'n1', readySince: T0 - 100_000 }),
      pod('ready-new', { node: 'n1', readySince: T0 - 10_000 }),
      pod('not-ready', { node: 'n1' }),
      pod('pending', { node: 'n1', phase: 'Pending' }),
      pod('unscheduled', { phase: 'Pending' }),
    ];
    const { client, reconcile } = setup(rs(2), pods);
    await reconcile('default/web');
    const deletes = client.writes().filter((a) => a.verb === 'delete').map((a) => a.name);
    expect(deletes.sort()).toEqual(['not-ready', 'pending', 'unscheduled']);
    // With the deletes outstanding, another pass deletes nothing more.
    await reconcile('default/web');
    expect(client.writes().filter((a) => a.verb === 'delete')).toHaveLength(3);
  });

  it('orders ready pods: ready for less time, more restarts, newer go first', () => {
    const a = pod('a', { node: 'n', readySince: T0 - 50_000 });
    const b = pod('b', { node: 'n', readySince: T0 - 10_000 });
    expect([a, b].sort(comparePodsForDeletion).map((p) => p.metadata?.name)).toEqual(['b', 'a']);
    const c = pod('c', { node: 'n', readySince: T0, restarts: 0 });
    const d = pod('d', { node: 'n', readySince: T0, restarts: 3 });
    expect([c, d].sort(comparePodsForDeletion).map((p) => p.metadata?.name)).toEqual(['d', 'c']);
    const e = pod('e', { node: 'n', readySince: T0, created: T0 - 1000 });
    const f = pod('f', { node: 'n', readySince: T0, created: T0 });
    expect([e, f].sort(comparePodsForDeletion).map((p) => p.metadata?.name)).toEqual(['f', 'e']);
  });

  it('adopts matching orphans and releases pods that stop matching', async () => {
    const orphan = pod('orphan', { owner: null, readySince: T0 });
    const strayed = pod('strayed', { labels: { app: 'other' }, readySince: T0 });
    const foreign = pod('foreign', { owner: 'someone-else', readySince: T0 });
    const { client, reconcile } = setup(rs(1), [orphan, strayed, foreign]);
    await reconcile('default/web');
    const updates = client.writes().filter((a) => a.verb === 'update');
    expect(updates.map((u) => u.name).sort()).toEqual(['orphan', 'strayed']);
    const adopted = updates.find((u) => u.name === 'orphan')!;
    expect(adopted.object?.metadata?.ownerReferences).toEqual([
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true },
    ]);
    expect(updates.find((u) => u.name === 'strayed')!.object?.metadata?.ownerReferences).toBeUndefined();
    // The adopted orphan fills the one replica: nothing created or deleted.
    expect(client.writes().filter((a) => a.verb === 'create' || a.verb === 'delete')).toEqual([]);
    // The adoption re-read the ReplicaSet from the server first.
    expect(client.actions.some((a) => a.verb === 'get' && a.kind === 'ReplicaSet')).toBe(true);
  });

  it('does not adopt for a ReplicaSet that is being deleted, nor manage its replicas', async () => {
    const orphan = pod('orphan', { owner: null });
    const { client, reconcile } = setup(rs(3, { deleting: true }), [orphan]);
    await reconcile('default/web');
    expect(client.writes().filter((a) => a.verb !== 'updateStatus')).toEqual([]);
  });

  it('replaces terminating and failed pods: they do not count', async () => {
    const pods = [pod('gone', { deleting: true, node: 'n1', readySince: T0 }), pod('failed', { phase: 'Failed', node: 'n1' }), pod('ok', { node: 'n1', readySince: T0 })];
    const { client, reconcile } = setup(rs(3), pods);
    await reconcile('default/web');
    expect(client.writes().filter((a) => a.verb === 'create')).toHaveLength(2);
    expect(client.writes().filter((a) => a.verb === 'delete')).toEqual([]);
  });

  it('status: availableReplicas waits for minReadySeconds and the key is requeued for then', async () => {
    const now = T0 + 60_000;
    const pods = [pod('a', { node: 'n', readySince: now - 30_000 }), pod('b', { node: 'n', readySince: now - 4_000 }), pod('c', { node: 'n', labels: { app: 'web' } })];
    const { client, reconcile, caches } = setup(rs(3, { minReadySeconds: 10 }), pods);
    const result = await reconcile('default/web');
    const status = client.writes().find((a) => a.verb === 'updateStatus')?.object?.status;
    expect(status).toEqual({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 1 });
    expect(result).toBeDefined();
    expect(result!.requeueAfter).toBeGreaterThanOrEqual(6_000);
    expect(result!.requeueAfter).toBeLessThan(6_100);
    // Idempotent: with the status stored, a second pass writes nothing.
    caches.ReplicaSet.put(client.server.get('ReplicaSet/default/web')!);
    const before = client.writes().length;
    await reconcile('default/web');
    expect(client.writes().length).toBe(before);
  });

  it('a rejected create lowers the expectations, sets ReplicaFailure and retries', async () => {
    const { client, reconcile } = setup(rs(4));
    client.failCreate = () => new InvalidError([{ field: 'spec', message: 'Invalid value: nope' }]);
    await expect(reconcile('default/web')).rejects.toThrow(/nope/);
    // Slow start: one failed call, not four.
    expect(client.writes().filter((a) => a.verb === 'create')).toHaveLength(1);
    const status = client.writes().find((a) => a.verb === 'updateStatus')?.object?.status as { conditions?: { type?: string; reason?: string }[] };
    expect(status.conditions?.[0]).toMatchObject({ type: 'ReplicaFailure', reason: 'FailedCreate' });
    client.failCreate = undefined;
    await reconcile('default/web');
    expect(client.writes().filter((a) => a.verb === 'create')).toHaveLength(5);
  });

  it('failed creates lower the expectations exactly once each: no extra pods after two failures in a batch', async () => {
    const { client, caches, reconcile, controller } = setup(rs(10));
    let calls = 0;
    // Slow start: batch 1 (call 1) succeeds, batch 2 (calls 2 and 3) both fail; 7 never start.
    client.failCreate = () => (++calls === 2 || calls === 3 ? new Error('quota exceeded') : undefined);
    await expect(reconcile('default/web')).rejects.toThrow(/quota/);
    expect(client.writes().filter((a) => a.verb === 'create')).toHaveLength(3);
    // One pod was created and is still to be observed: not 0, not negative.
    expect(controller.expectations?.pending('default/web')?.adds).toBe(1);
    client.failCreate = undefined;
    // Before the cache sees the created pod, nothing more is created.
    await reconcile('default/web');
    expect(client.writes().filter((a) => a.verb === 'create')).toHaveLength(3);
    // Once it is observed, exactly the 9 missing pods are created: 10 in all, no extras.
    const made = client.writes().find((a) => a.verb === 'create' && client.server.has(`Pod/default/${a.name}`))!;
    caches.Pod.put(client.server.get(`Pod/default/${made.name}`)!);
    await reconcile('default/web');
    expect(client.writes().filter((a) => a.verb === 'create' && client.server.has(`Pod/default/${a.name}`))).toHaveLength(10);
  });

  it('a deleted ReplicaSet is done: no writes, expectations dropped', async () => {
    const { client, reconcile, caches, controller } = setup(rs(2));
    await reconcile('default/web');
    caches.ReplicaSet.remove(rs(2));
    const before = client.writes().length;
    await reconcile('default/web');
    expect(client.writes().length).toBe(before);
    expect(controller.expectations?.pending('default/web')).toBeUndefined();
  });
});
