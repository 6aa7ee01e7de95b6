// The garbage collector and the namespace controller against a real API server and NATS,
// run in-process through startControllers. Owners and dependents are made by hand (ownerReferences
// set directly), so only these controllers act on them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../lib/errors.js';
import type { KubeObject } from '../lib/kinds.js';
import { startControllers, type ControllersHandle } from '../services/controllers/index.js';
import { sampleObject } from './fixtures.js';
import { eventually, startTestCluster, TEST_TOKEN, type TestCluster } from './harness.js';

const HOLD = 'test.shoal.io/hold';

let cluster: TestCluster;
let controllers: ControllersHandle;

beforeAll(async () => {
  cluster = await startTestCluster();
  controllers = await startControllers({
    server: cluster.api.address,
    token: TEST_TOKEN,
    natsUrl: cluster.nats.url,
    leaderElection: false,
    controllers: ['garbage-collector', 'namespace'],
    logger: { info: () => {}, warn: (m) => console.warn(m), error: (m) => console.error(m) },
  });
  await controllers.ready;
});

afterAll(async () => {
  await controllers?.stop();
  await cluster?.stop();
});

function ownerRef(owner: KubeObject, controller = true): Record<string, unknown> {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata?.name,
    uid: owner.metadata?.uid,
    controller,
    blockOwnerDeletion: true,
  };
}

async function create(kind: string, name: string, opts: { owners?: KubeObject[]; refs?: Record<string, unknown>[]; finalizers?: string[]; namespace?: string } = {}): Promise<KubeObject> {
  const obj = sampleObject(kind, name, { app: name }, opts.namespace ?? 'default');
  const refs = [...(opts.owners ?? []).map((o) => ownerRef(o)), ...(opts.refs ?? [])];
  obj.metadata = { ...obj.metadata, ...(refs.length ? { ownerReferences: refs } : {}), ...(opts.finalizers ? { finalizers: opts.finalizers } : {}) };
  return cluster.client.create(obj);
}

async function get(kind: string, name: string, namespace = 'default'): Promise<KubeObject | undefined> {
  try {
    return await cluster.client.get(kind, namespace, name);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

async function gone(kind: string, name: string, namespace = 'default'): Promise<boolean> {
  return (await get(kind, name, namespace)) === undefined;
}

async function release(kind: string, name: string, namespace = 'default'): Promise<void> {
  const obj = (await get(kind, name, namespace))!;
  await cluster.client.update({ ...obj, metadata: { ...obj.metadata, finalizers: (obj.metadata?.finalizers ?? []).filter((f) => f !== HOLD) } });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('garbage collector', () => {
  it('Background: deleting an owner removes its dependents', async () => {
    const rs = await create('ReplicaSet', 'bg');
    await create('Pod', 'bg-1', { owners: [rs] });
    await create('Pod', 'bg-2', { owners: [rs] });
    const res = await cluster.client.delete('ReplicaSet', 'default', 'bg');
    expect(res.deleted).toBe(true);
    await eventually(async () => (await gone('Pod', 'bg-1')) && (await gone('Pod', 'bg-2')), 'the dependents to be collected', 10_000);
  });

  it('Foreground: the owner stays, marked, until its blocking dependents are gone, through two levels', async () => {
    const deploy = await create('Deployment', 'fg');
    const rs = await create('ReplicaSet', 'fg-rs', { owners: [deploy] });
    await create('Pod', 'fg-1', { owners: [rs] });
    await create('Pod', 'fg-held', { owners: [rs], finalizers: [HOLD] });
    const res = await cluster.client.delete('Deployment', 'default', 'fg', { propagationPolicy: 'Foreground' });
    expect(res.deleted).toBe(false);
    expect(res.object.metadata?.finalizers).toContain('foregroundDeletion');

    // The ReplicaSet is deleted in the foreground too, so its pods go first.
    await eventually(async () => (await get('ReplicaSet', 'fg-rs'))?.metadata?.finalizers?.includes('foregroundDeletion') === true, 'the ReplicaSet to be deleted in the foreground', 10_000);
    await eventually(async () => gone('Pod', 'fg-1'), 'the free pod to be collected', 10_000);
    await eventually(async () => !!(await get('Pod', 'fg-held'))?.metadata?.deletionTimestamp, 'the held pod to be marked', 10_000);
    // The held pod blocks both owners.
    await sleep(500);
    expect((await get('Deployment', 'fg'))?.metadata?.deletionTimestamp).toBeTruthy();
    expect((await get('ReplicaSet', 'fg-rs'))?.metadata?.deletionTimestamp).toBeTruthy();

    await release('Pod', 'fg-held');
    await eventually(async () => gone('ReplicaSet', 'fg-rs'), 'the ReplicaSet to go once its pods are gone', 10_000);
    await eventually(async () => gone('Deployment', 'fg'), 'the Deployment to go last', 10_000);
  });

  it('Orphan: dependents lose the ownerReference and stay', async () => {
    const rs = await create('ReplicaSet', 'or');
    const other = await create('ReplicaSet', 'or-other');
    await create('Pod', 'or-1', { owners: [rs] });
    await create('Pod', 'or-2', { owners: [rs], refs: [ownerRef(other, false)] });
    const res = await cluster.client.delete('ReplicaSet', 'default', 'or', { propagationPolicy: 'Orphan' });
    expect(res.object.metadata?.finalizers).toContain('orphan');
    await eventually(async () => gone('ReplicaSet', 'or'), 'the owner to go once orphaning is done', 10_000);
    const p1 = await get('Pod', 'or-1');
    const p2 = await get('Pod', 'or-2');
    expect(p1?.metadata?.ownerReferences ?? []).toEqual([]);
    expect((p2?.metadata?.ownerReferences ?? []).map((r) => r.name)).toEqual(['or-other']);
    await sleep(1000);
    expect(await get('Pod', 'or-1')).toBeDefined();
    expect(await get('Pod', 'or-2')).toBeDefined();
  });

  it('deletes dependents whose owner no longer exists by uid, even when one of that name does', async () => {
    const rs = await create('ReplicaSet', 'same-name');
    // Names the live ReplicaSet's name with another (an earlier incarnation's) uid.
    await create('Pod', 'stale-uid', { refs: [{ ...ownerRef(rs), uid: '00000000-0000-4000-8000-000000000000' }] });
    // Names an owner that never existed.
    await create('Pod', 'no-owner', { refs: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ghost', uid: '00000000-0000-4000-8000-000000000001' }] });
    // One live owner and one gone: keeps living, without the dangling reference.
    await create('Pod', 'half', { refs: [ownerRef(rs), { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ghost', uid: '00000000-0000-4000-8000-000000000002' }] });
    // A live owner: left alone.
    await create('Pod', 'owned', { owners: [rs] });
    await eventually(async () => (await gone('Pod', 'stale-uid')) && (await gone('Pod', 'no-owner')), 'the orphans by uid to be collected', 10_000);
    await eventually(async () => (await get('Pod', 'half'))?.metadata?.ownerReferences?.length === 1, 'the dangling reference to be dropped', 10_000);
    expect((await get('Pod', 'half'))?.metadata?.ownerReferences?.[0]?.uid).toBe(rs.metadata?.uid);
    expect(await get('Pod', 'owned')).toBeDefined();
  });

  it('collects a Node\'s Lease when the Node goes', async () => {
    const node = await cluster.client.create(sampleObject('Node', 'gc-node'));
    await cluster.client.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'gc-node', namespace: 'shoal-system', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'gc-node', uid: node.metadata?.uid }] },
      spec: { holderIdentity: 'gc-node', leaseDurationSeconds: 40 },
    });
    await sleep(300);
    expect(await get('Lease', 'gc-node', 'shoal-system')).toBeDefined();
    await cluster.client.delete('Node', '', 'gc-node');
    await eventually(async () => gone('Lease', 'gc-node', 'shoal-system'), 'the lease to be collected', 10_000);
  });
});

describe('namespace controller', () => {
  it('empties a deleted namespace, waits for what is still going, then removes it', async () => {
    await cluster.client.create(sampleObject('Namespace', 'doomed'));
    const rs = await create('ReplicaSet', 'web', { namespace: 'doomed' });
    await create('Pod', 'web-1', { namespace: 'doomed', owners: [rs] });
    await create('Pod', 'held', { namespace: 'doomed', finalizers: [HOLD] });
    await cluster.client.create(sampleObject('ConfigMap', 'settings', {}, 'doomed'));
    await cluster.client.create(sampleObject('Service', 'web', {}, 'doomed'));

    const res = await cluster.client.delete('Namespace', '', 'doomed');
    expect(res.deleted).toBe(false);
    expect((res.object.status as { phase?: string }).phase).toBe('Terminating');

    const remaining = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const kind of ['ReplicaSet', 'Pod', 'ConfigMap', 'Service']) {
        for (const o of (await cluster.client.list(kind, { namespace: 'doomed' })).items) out.push(`${kind}/${o.metadata?.name ?? ''}`);
      }
      return out;
    };
    await eventually(async () => (await remaining()).join(',') === 'Pod/held', 'everything but the held pod to go', 10_000);
    const condition = async () =>
      ((await get('Namespace', 'doomed', ''))?.status as { conditions?: { type?: string; status?: string; message?: string }[] } | undefined)?.conditions?.find(
        (c) => c.type === 'NamespaceContentRemaining',
      );
    await eventually(async () => (await condition())?.message === 'Some resources are remaining: pod has 1 resource instance', 'the condition to name what remains', 5_000);
    expect(await condition()).toMatchObject({ status: 'True', reason: 'SomeResourcesRemain' });

    await release('Pod', 'held', 'doomed');
    await eventually(async () => gone('Namespace', 'doomed', ''), 'the namespace to be removed', 10_000);
  });
});

describe('with the workload controllers (all of them, as startControllers runs by default)', () => {
  let c: TestCluster;
  let all: ControllersHandle;

  beforeAll(async () => {
    c = await startTestCluster();
    all = await startControllers({
      server: c.api.address,
      token: TEST_TOKEN,
      natsUrl: c.nats.url,
      leaseDurationSeconds: 5,
      metricsListen: '127.0.0.1:0',
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
    await all.ready;
  });

  it('runs every registered controller, as the leader, and serves their queue and reconcile metrics', async () => {
    expect(all.isLeader()).toBe(true);
    expect(all.metricsAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    // Something to reconcile, so every metric has samples.
    await c.client.create(sampleObject('ReplicaSet', 'metrics'));
    await eventually(async () => (await count('Pod', 'app=metrics')) === 2, 'the ReplicaSet controller to act', 15_000);
    // A reconcile is observed when it finishes, which can trail the pods it created.
    const series = (name: string): RegExp => new RegExp(`^shoal_controller_reconcile_duration_seconds_count\\{[^}]*controller="${name}"[^}]*\\} [1-9]`, 'm');
    let text = '';
    await eventually(async () => {
      text = await (await fetch(`http://${all.metricsAddress}/metrics`)).text();
      return series('replicaset').test(text) && series('garbage-collector').test(text);
    }, 'both controllers to finish a reconcile', 15_000);
    expect(text).toMatch(/^shoal_controller_manager_leader\{[^}]*\} 1$/m);
    for (const name of ['replicaset', 'garbage-collector']) {
      expect(text).toMatch(new RegExp(`^shoal_controller_workqueue_adds_total\\{[^}]*controller="${name}"[^}]*\\} [1-9]`, 'm'));
      expect(text).toMatch(new RegExp(`^shoal_controller_reconcile_duration_seconds_count\\{[^}]*controller="${name}"[^}]*\\} [1-9]`, 'm'));
    }
    expect(text).toContain('# TYPE shoal_controller_workqueue_depth gauge');
    expect(text).toContain('# TYPE shoal_controller_workqueue_retries_total counter');
    await c.client.delete('ReplicaSet', 'default', 'metrics');
    await eventually(async () => (await count('Pod', 'app=metrics')) === 0, 'the pods to be collected', 15_000);
  });

  afterAll(async () => {
    await all?.stop();
    await c?.stop();
  });

  const count = async (kind: string, selector: string): Promise<number> => (await c.client.list(kind, { namespace: 'default', labelSelector: selector })).items.length;
  const owned = async (kind: string, ownerUid: string | undefined): Promise<KubeObject[]> =>
    (await c.client.list(kind, { namespace: 'default' })).items.filter((o) => o.metadata?.ownerReferences?.some((r) => r.uid === ownerUid));

  it('a deleted ReplicaSet of a Deployment is recreated; deleting the Deployment (Foreground) removes its ReplicaSets and pods first', async () => {
    const deploy = await c.client.create(sampleObject('Deployment', 'web'));
    await eventually(async () => (await count('Pod', 'app=web')) === 2, 'two pods', 15_000);
    const [rs] = await owned('ReplicaSet', deploy.metadata?.uid);
    expect(rs).toBeDefined();
    await c.client.delete('ReplicaSet', 'default', rs!.metadata!.name!);
    await eventually(
      async () => {
        const now = await owned('ReplicaSet', deploy.metadata?.uid);
        return now.length === 1 && now[0]!.metadata?.uid !== rs!.metadata?.uid;
      },
      'the ReplicaSet to be recreated',
      15_000,
    );
    await eventually(async () => {
      const pods = (await c.client.list('Pod', { namespace: 'default', labelSelector: 'app=web' })).items;
      return pods.length === 2 && pods.every((p) => p.metadata?.ownerReferences?.[0]?.uid !== rs!.metadata?.uid);
    }, 'the old pods collected and two new ones', 15_000);

    const res = await c.client.delete('Deployment', 'default', 'web', { propagationPolicy: 'Foreground' });
    expect(res.deleted).toBe(false);
    await eventually(async () => (await gone2('Deployment', 'web')) && (await count('ReplicaSet', 'app=web')) === 0 && (await count('Pod', 'app=web')) === 0, 'everything to go', 15_000);
  });

  it('deleting a Deployment (Background) removes its ReplicaSets and pods', async () => {
    const deploy = await c.client.create(sampleObject('Deployment', 'api'));
    await eventually(async () => (await count('Pod', 'app=api')) === 2, 'two pods', 15_000);
    expect((await owned('ReplicaSet', deploy.metadata?.uid)).length).toBe(1);
    expect((await c.client.delete('Deployment', 'default', 'api')).deleted).toBe(true);
    await eventually(async () => (await count('ReplicaSet', 'app=api')) === 0 && (await count('Pod', 'app=api')) === 0, 'the ReplicaSet and pods to go', 15_000);
  });

  async function gone2(kind: string, name: string): Promise<boolean> {
    try {
      await c.client.get(kind, 'default', name);
      return false;
    } catch (err) {
      if (err instanceof NotFoundError) return true;
      throw err;
    }
  }
});
