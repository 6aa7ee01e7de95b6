// The node lifecycle controller against a real API server, with a fake node: a Node and its
// Lease that the test renews by hand and then stops renewing, as a dead agent would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../lib/errors.js';
import type { Event__Output } from '../lib/gen/shoal/v1/Event.js';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { KubeObject } from '../lib/kinds.js';
import { startControllers, type ControllersHandle } from '../services/controllers/index.js';
import type { ControllerContext } from '../services/controllers/framework.js';
import { nodeLifecycleController, tolerationMs } from '../services/controllers/node-lifecycle.js';
import type { WorkQueue } from '../lib/workqueue.js';
import { eventually, startTestCluster, TEST_TOKEN, type TestCluster } from './harness.js';

const GRACE_MS = 1500;
const EVICTION_MS = 5000;
const UNREACHABLE = 'node.kubernetes.io/unreachable';

let cluster: TestCluster;
let controllers: ControllersHandle;

beforeAll(async () => {
  cluster = await startTestCluster();
  controllers = await startControllers({
    server: cluster.api.address,
    token: TEST_TOKEN,
    natsUrl: cluster.nats.url,
    leaderElection: false,
    controllers: ['node-lifecycle'],
    nodeMonitorGracePeriodMs: GRACE_MS,
    podEvictionTimeoutMs: EVICTION_MS,
    logger: { info: () => {}, warn: () => {}, error: (m) => console.error(m) },
  });
  await controllers.ready;
});

afterAll(async () => {
  await controllers?.stop();
  await cluster?.stop();
});

const microTime = (ms = Date.now()) => new Date(ms).toISOString().replace(/Z$/, '000Z');

/** A fake agent: the Node with Ready=True and a Lease renewed every 200 ms until stop(). */
async function fakeNode(name: string, spec: Record<string, unknown> = {}): Promise<{ stop(): void; resume(): void }> {
  const node = await cluster.client.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec });
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const resources = { cpu: '4', memory: '8Gi', pods: '110' };
  await cluster.client.updateStatus({
    ...node,
    status: {
      allocatable: resources,
      capacity: resources,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: now, lastTransitionTime: now }],
    },
  });
  let lease = await cluster.client.create({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'shoal-system' },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() },
  });
  let timer: NodeJS.Timeout | undefined;
  const renew = async (): Promise<void> => {
    lease = await cluster.client.update({ ...lease, spec: { ...(lease.spec as object), renewTime: microTime() } });
  };
  const resume = (): void => {
    timer = setInterval(() => void renew().catch(() => {}), 200);
  };
  resume();
  return {
    stop: () => clearInterval(timer),
    resume,
  };
}

function pod(name: string, nodeName: string, tolerations?: Record<string, unknown>[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName, containers: [{ name: 'main', image: 'busybox' }], ...(tolerations ? { tolerations } : {}) },
  };
}

async function getPod(name: string): Promise<KubeObject | undefined> {
  try {
    return await cluster.client.get('Pod', 'default', name);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

const getNode = async (name: string) => (await cluster.client.get('Node', '', name)) as Node__Output;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('tolerationMs', () => {
  const taint = { key: UNREACHABLE, effect: 'NoExecute' };
  it('takes tolerationSeconds of a matching toleration, for ever without one, the default without a match', () => {
    expect(tolerationMs(pod('a', 'n', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }]), taint, 300_000)).toBe(2000);
    expect(tolerationMs(pod('a', 'n', [{ operator: 'Exists' }]), taint, 300_000)).toBe(Infinity);
    expect(tolerationMs(pod('a', 'n', [{ key: 'other', operator: 'Exists' }]), taint, 300_000)).toBe(300_000);
    expect(tolerationMs(pod('a', 'n'), taint, 300_000)).toBe(300_000);
  });
});

describe('node lifecycle', () => {
  it('marks a silent node Unknown, taints it, says so, evicts its pods as their tolerations run out, and untaints it when it returns', async () => {
    const agent = await fakeNode('n2');
    await cluster.client.create(pod('short', 'n2', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }]));
    await cluster.client.create(pod('default', 'n2'));
    await cluster.client.create(pod('forever', 'n2', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]));

    // Renewing: left alone well past the grace period.
    await sleep(GRACE_MS * 2);
    expect((await getNode('n2')).spec?.taints ?? []).toEqual([]);

    agent.stop();
    const stoppedAt = Date.now();
    await eventually(async () => ((await getNode('n2')).spec?.taints ?? []).some((t) => t.key === UNREACHABLE), 'the unreachable taint', GRACE_MS + 5000);
    const taintedAt = Date.now();
    expect(taintedAt - stoppedAt).toBeGreaterThanOrEqual(GRACE_MS - 300);
    const node = await getNode('n2');
    const taint = node.spec?.taints?.find((t) => t.key === UNREACHABLE);
    expect(taint?.effect).toBe('NoExecute');
    expect(Date.parse(taint?.timeAdded ?? '')).toBeGreaterThan(stoppedAt - 2000);
    await eventually(async () => (await getNode('n2')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown', 'Ready=Unknown', 5000);
    expect((await getNode('n2')).status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    });
    await eventually(
      async () =>
        ((await cluster.client.list('Event', { namespace: 'default' })).items as Event__Output[]).some(
          (e) => e.reason === 'NodeNotReady' && e.message === 'Node n2 not ready; evicting its pods in 5s' && e.involvedObject?.kind === 'Node',
        ),
      'the NodeNotReady event',
      5000,
    );

    // The pod tolerating 2 s goes after about 2 s; the others are still there then.
    await eventually(async () => (await getPod('short')) === undefined, 'the 2 s pod to be evicted', 6000);
    const shortGone = Date.now();
    expect(shortGone - taintedAt).toBeGreaterThanOrEqual(1500);
    expect(await getPod('default')).toBeDefined();
    expect(await getPod('forever')).toBeDefined();
    // The default toleration (podEvictionTimeout) runs out next.
    await eventually(async () => (await getPod('default')) === undefined, 'the default-toleration pod to be evicted', EVICTION_MS + 4000);
    expect(Date.now() - taintedAt).toBeGreaterThanOrEqual(EVICTION_MS - 1200);
    expect(
      ((await cluster.client.list('Event', { namespace: 'default' })).items as Event__Output[]).some(
        (e) => e.reason === 'TaintManagerEviction' && e.involvedObject?.name === 'short',
      ),
    ).toBe(true);
    // A pod that tolerates the taint for ever stays.
    expect(await getPod('forever')).toBeDefined();

    // The agent comes back: the taint goes.
    agent.resume();
    await eventually(async () => !((await getNode('n2')).spec?.taints ?? []).some((t) => t.key === UNREACHABLE), 'the taint to be removed', 5000);
    agent.stop();
  });
});

describe('a dead node\'s pods move', () => {
  it('evicts the pod of a ReplicaSet from a silent node; the ReplicaSet replaces it and the scheduler places it on the live node', async () => {
    const { startScheduler } = await import('../services/scheduler/index.js');
    const workloads = await startControllers({
      server: cluster.api.address,
      token: TEST_TOKEN,
      natsUrl: cluster.nats.url,
      leaderElection: false,
      controllers: ['replicaset', 'garbage-collector'],
      logger: { info: () => {}, warn: () => {}, error: (m) => console.error(m) },
    });
    const scheduler = await startScheduler({ server: cluster.api.address, token: TEST_TOKEN, natsUrl: cluster.nats.url, logger: { info: () => {}, warn: () => {} } });
    // The live node starts cordoned, so the first pod lands on the one that will die.
    const live = await fakeNode('live', { unschedulable: true });
    const doomed = await fakeNode('doomed');
    try {
      await Promise.all([workloads.ready, scheduler.ready]);
      await cluster.client.create({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'moved', namespace: 'default' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'moved' } },
          template: {
            metadata: { labels: { app: 'moved' } },
            spec: { containers: [{ name: 'main', image: 'busybox' }], tolerations: [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }] },
          },
        },
      });
      const placed = async (): Promise<{ name: string; node: string }[]> =>
        (await cluster.client.list('Pod', { namespace: 'default', labelSelector: 'app=moved' })).items
          .filter((p) => !p.metadata?.deletionTimestamp)
          .map((p) => ({ name: p.metadata?.name ?? '', node: (p.spec as { nodeName?: string }).nodeName ?? '' }));
      await eventually(async () => (await placed()).some((p) => p.node === 'doomed'), 'the first pod on the doomed node', 10_000);
      const [first] = await placed();
      const liveNode = await getNode('live');
      await cluster.client.update({ ...liveNode, spec: { ...liveNode.spec, unschedulable: false } });

      doomed.stop();
      await eventually(
        async () => {
          const pods = await placed();
          return pods.length === 1 && pods[0]!.name !== first!.name && pods[0]!.node === 'live';
        },
        'the replacement pod on the live node',
        GRACE_MS + 10_000,
      );
      expect(await getPod(first!.name)).toBeUndefined();
    } finally {
      live.stop();
      doomed.stop();
      await scheduler.stop();
      await workloads.stop();
    }
  });
});

// ---- reconcile against a fake client and fake informers, with a fake clock ----

interface Action {
  verb: string;
  kind: string;
  name: string;
  opts?: unknown;
  object?: KubeObject;
}

type Handlers = { onAdd?(o: KubeObject): void; onUpdate?(a: KubeObject, b: KubeObject): void; onDelete?(o: KubeObject): void };

class FakeInformer {
  readonly objects = new Map<string, KubeObject>();
  readonly handlers: Handlers[] = [];
  addEventHandler(h: Handlers): () => void {
    this.handlers.push(h);
    return () => {};
  }
  get(ns: string, name: string): KubeObject | undefined {
    return this.objects.get(ns ? `${ns}/${name}` : name);
  }
  getByKey(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }
  list(): KubeObject[] {
    return [...this.objects.values()];
  }
  put(obj: KubeObject): void {
    const key = obj.metadata?.namespace ? `${obj.metadata.namespace}/${obj.metadata.name ?? ''}` : (obj.metadata?.name ?? '');
    const old = this.objects.get(key);
    this.objects.set(key, obj);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, obj);
      else h.onAdd?.(obj);
    }
  }
  remove(key: string): void {
    const old = this.objects.get(key);
    this.objects.delete(key);
    if (old) for (const h of this.handlers) h.onDelete?.(old);
  }
}

/** Informers that a write updates at once (an instant watch), and a client that records. */
function fakeWorld(start: number) {
  let now = start;
  let rv = 1;
  const informers = new Map<string, FakeInformer>();
  const inf = (kind: string): FakeInformer => {
    let i = informers.get(kind);
    if (!i) informers.set(kind, (i = new FakeInformer()));
    return i;
  };
  const actions: Action[] = [];
  const keyOf = (o: KubeObject) => (o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name ?? ''}` : (o.metadata?.name ?? ''));
  const store = (o: KubeObject): KubeObject => {
    const s = structuredClone({ ...o, metadata: { ...o.metadata, resourceVersion: String(++rv) } });
    inf(o.kind!).put(s);
    return structuredClone(s);
  };
  const client = {
    get: (kind: string, ns: string, name: string) => {
      actions.push({ verb: 'get', kind, name });
      const o = inf(kind).get(ns, name);
      return o ? Promise.resolve(structuredClone(o)) : Promise.reject(new NotFoundError(name));
    },
    update: (o: KubeObject) => {
      actions.push({ verb: 'update', kind: o.kind!, name: o.metadata?.name ?? '', object: structuredClone(o) });
      return Promise.resolve(store(o));
    },
    updateStatus: (o: KubeObject) => {
      actions.push({ verb: 'updateStatus', kind: o.kind!, name: o.metadata?.name ?? '', object: structuredClone(o) });
      return Promise.resolve(store(o));
    },
    create: (o: KubeObject) => {
      actions.push({ verb: 'create', kind: o.kind!, name: o.metadata?.name ?? '', object: structuredClone(o) });
      return Promise.resolve(store(o));
    },
    delete: (kind: string, ns: string, name: string, opts?: unknown) => {
      actions.push({ verb: 'delete', kind, name, opts });
      const key = ns ? `${ns}/${name}` : name;
      const o = inf(kind).getByKey(key);
      if (!o) return Promise.reject(new NotFoundError(name));
      if ((opts as { gracePeriodSeconds?: number } | undefined)?.gracePeriodSeconds === 0) inf(kind).remove(key);
      else inf(kind).put({ ...o, metadata: { ...o.metadata, deletionTimestamp: new Date(now).toISOString() } });
      return Promise.resolve({ object: o, deleted: false });
    },
  };
  const queued: string[] = [];
  const queue = { add: (k: string) => queued.push(k) };
  const ctx = {
    client,
    informer: (kind: string) => inf(kind),
    metrics: undefined,
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    now: () => now,
  };
  return {
    ctx: ctx as unknown as ControllerContext,
    queue: queue as unknown as WorkQueue<string>,
    inf,
    actions,
    queued,
    keyOf,
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}

describe('node lifecycle reconcile (fake client, fake clock)', () => {
  it('waits out the grace period, then marks, taints and evicts on the toleration schedule, and untaints on renewal', async () => {
    const w = fakeWorld(Date.parse('2024-05-01T10:00:00Z'));
    const reconcile = nodeLifecycleController({ nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 300_000 }).setup(w.ctx, w.queue);
    w.inf('Node').put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2', uid: 'u-n2', resourceVersion: '1' }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    w.inf('Lease').put({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n2', namespace: 'shoal-system', resourceVersion: '1' }, spec: { renewTime: microTime(w.now()) } });
    const tol = (s?: number) => [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', ...(s !== undefined ? { tolerationSeconds: s } : {}) }];
    for (const [name, tolerations] of [['short', tol(2)], ['plain', undefined], ['forever', tol()]] as const) {
      w.inf('Pod').put({ ...pod(name, 'n2', tolerations ? [...tolerations] : undefined), metadata: { name, namespace: 'default', uid: `u-${name}`, resourceVersion: '1' } });
    }
    expect(w.queued).toContain('n2');

    // Fresh: nothing to do; look again when the grace period would run out.
    expect(await reconcile('n2')).toEqual({ requeueAfter: 40_100 });
    expect(w.actions).toEqual([]);

    w.advance(40_100);
    const r = await reconcile('n2');
    const writes = w.actions.filter((a) => a.kind !== 'Event' && a.verb !== 'get');
    expect(writes.map((a) => `${a.verb} ${a.kind}`)).toEqual(['updateStatus Node', 'update Node']);
    expect((writes[0]!.object as Node__Output).status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect((writes[1]!.object as Node__Output).spec?.taints).toEqual([{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: '2024-05-01T10:00:40Z' }]);
    // The next timer is the 2 s toleration.
    expect(r).toEqual({ requeueAfter: 2000 });
    await new Promise((res) => setTimeout(res, 0));
    const notReady = w.actions.find((a) => a.kind === 'Event' && a.verb === 'create');
    expect(notReady?.object).toMatchObject({ reason: 'NodeNotReady', message: 'Node n2 not ready; evicting its pods in 300s', involvedObject: { kind: 'Node', name: 'n2' } });

    // Running it again changes nothing (idempotent).
    w.actions.length = 0;
    expect(await reconcile('n2')).toEqual({ requeueAfter: 2000 });
    expect(w.actions.filter((a) => a.verb !== 'get')).toEqual([]);

    w.advance(2000);
    expect(await reconcile('n2')).toEqual({ requeueAfter: 298_000 });
    expect(w.actions.filter((a) => a.verb === 'delete').map((a) => [a.name, a.opts])).toEqual([
      ['short', undefined],
      ['short', { gracePeriodSeconds: 0 }],
    ]);
    expect(w.inf('Pod').getByKey('default/short')).toBeUndefined();

    w.advance(298_000);
    w.actions.length = 0;
    expect(await reconcile('n2')).toBeUndefined();
    expect(w.actions.filter((a) => a.verb === 'delete').map((a) => a.name)).toEqual(['plain', 'plain']);
    expect(w.inf('Pod').getByKey('default/forever')).toBeDefined();

    // The lease is renewed: the taint goes.
    w.actions.length = 0;
    w.inf('Lease').put({ ...w.inf('Lease').getByKey('shoal-system/n2')!, spec: { renewTime: microTime(w.now()) } });
    expect(await reconcile('n2')).toEqual({ requeueAfter: 40_100 });
    const untaint = w.actions.find((a) => a.verb === 'update' && a.kind === 'Node');
    expect((untaint?.object as Node__Output).spec?.taints).toEqual([]);
  });

  it('after a restart, does not untaint a tainted node before its lease is seen to change', async () => {
    const w = fakeWorld(Date.parse('2024-05-01T10:00:00Z'));
    const reconcile = nodeLifecycleController({ nodeMonitorGracePeriodMs: 40_000 }).setup(w.ctx, w.queue);
    w.inf('Node').put({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n3', resourceVersion: '1' },
      spec: { taints: [{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: '2024-05-01T09:59:00Z' }] },
      status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
    });
    expect(await reconcile('n3')).toEqual({ requeueAfter: 40_100 });
    expect(w.actions.filter((a) => a.verb !== 'get')).toEqual([]);
  });
});
