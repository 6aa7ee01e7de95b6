// The node lifecycle controller against a real API server, with a fake node: a Node and its
// Lease that the test renews by hand and then stops renewing, as a dead agent would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryOnConflict } from '../lib/client.js';
import { timestamp as timestampOf } from '../lib/conditions.js';
import { NotFoundError } from '../lib/errors.js';
import type { Event__Output } from '../lib/gen/shoal/v1/Event.js';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { KubeObject } from '../lib/kinds.js';
import { startControllers, type ControllersHandle } from '../services/controllers/index.js';
import type { ControllerContext } from '../services/controllers/framework.js';
import { nextTaints, nodeLifecycleController, tolerationMs } from '../services/controllers/node-lifecycle.js';
import type { WorkQueue } from '../lib/workqueue.js';
import { eventually, startTestCluster, TEST_TOKEN, type TestCluster } from './harness.js';

const GRACE_MS = 1500;
const EVICTION_MS = 5000;
const UNREACHABLE = 'node.kubernetes.io/unreachable';

let cluster: TestCluster;
let controllers: ControllersHandle;
/** Healthy nodes that keep renewing all along: one silent node alone is not a disruption. */
const healthy: { stop(): void }[] = [];

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
  for (const h of healthy) h.stop();
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
  const start = (): void => {
    timer = setInterval(() => void renew().catch(() => {}), 200);
  };
  start();
  return {
    stop: () => clearInterval(timer),
    /** Renews again and, as a real agent does when it finds itself marked Unknown, posts Ready=True. */
    resume: () => {
      start();
      void retryOnConflict(async () => {
        const fresh = await cluster.client.get('Node', '', name);
        const t = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        const ready = { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: t, lastTransitionTime: t };
        await cluster.client.updateStatus({ ...fresh, status: { ...(fresh.status as object), conditions: [ready] } });
      }).catch(() => {});
    },
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

/** Gone, or evicted: a graceful delete of a pod on a silent node leaves it terminating. */
async function evicted(name: string): Promise<boolean> {
  const p = await getPod(name);
  return !p || !!p.metadata?.deletionTimestamp;
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
    // Cordoned, so that the scheduler test below places nothing on them.
    healthy.push(await fakeNode('h1', { unschedulable: true }), await fakeNode('h2', { unschedulable: true }));
    const agent = await fakeNode('n2');
    await cluster.client.create(pod('short', 'n2', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }]));
    // The API server gives it the default tolerations (300 s); podEvictionTimeout is only for
    // pods stored without a matching one (the fake-client test below has those).
    await cluster.client.create(pod('default', 'n2'));
    await cluster.client.create(pod('expiring', 'n2', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }]));
    await cluster.client.create(pod('forever', 'n2', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]));

    // Renewing: left alone well past the grace period.
    await sleep(GRACE_MS * 2);
    expect((await getNode('n2')).spec?.taints ?? []).toEqual([]);

    agent.stop();
    const stoppedAt = Date.now();
    await eventually(async () => ((await getNode('n2')).spec?.taints ?? []).some((t) => t.key === UNREACHABLE && t.effect === 'NoExecute'), 'the unreachable taint', GRACE_MS + 5000);
    const taintedAt = Date.now();
    expect(taintedAt - stoppedAt).toBeGreaterThanOrEqual(GRACE_MS - 300);
    const node = await getNode('n2');
    const taint = node.spec?.taints?.find((t) => t.key === UNREACHABLE && t.effect === 'NoExecute');
    expect(taint).toBeDefined();
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
    await eventually(async () => await evicted('short'), 'the 2 s pod to be evicted', 6000);
    const shortGone = Date.now();
    expect(shortGone - taintedAt).toBeGreaterThanOrEqual(1500);
    // Evicted gracefully, not force-deleted: the node may only be partitioned.
    expect((await getPod('short'))?.metadata?.deletionTimestamp).toBeTruthy();
    expect(await evicted('expiring')).toBe(false);
    expect(await evicted('default')).toBe(false);
    expect(await evicted('forever')).toBe(false);
    // The 5 s toleration runs out next.
    await eventually(async () => await evicted('expiring'), 'the 5 s pod to be evicted', 5000 + 4000);
    expect(Date.now() - taintedAt).toBeGreaterThanOrEqual(5000 - 1200);
    expect(
      ((await cluster.client.list('Event', { namespace: 'default' })).items as Event__Output[]).some(
        (e) => e.reason === 'TaintManagerEviction' && e.involvedObject?.name === 'short',
      ),
    ).toBe(true);
    // A pod that tolerates the taint for ever stays, and so (for 300 s) does one with the defaults.
    expect(await evicted('forever')).toBe(false);
    expect(await evicted('default')).toBe(false);
    expect((await getPod('default'))?.spec).toMatchObject({
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });

    // Unknown also keeps new pods off it.
    expect((await getNode('n2')).spec?.taints).toContainEqual(expect.objectContaining({ key: UNREACHABLE, effect: 'NoSchedule' }));

    // The agent comes back: both taints go.
    agent.resume();
    await eventually(async () => !((await getNode('n2')).spec?.taints ?? []).some((t) => t.key === UNREACHABLE), 'the taints to be removed', 5000);
    agent.stop();

    // The Node object is deleted: now its pods are force-deleted.
    await cluster.client.delete('Node', '', 'n2');
    await eventually(async () => (await getPod('forever')) === undefined && (await getPod('short')) === undefined, 'the deleted node\'s pods to be force-deleted', 5000);
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
      // Evicted gracefully: terminating, not force-deleted.
      expect(await evicted(first!.name)).toBe(true);
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

type World = ReturnType<typeof fakeWorld>;

/** A node with Ready=True and its lease, renewed now. */
function putNode(w: World, name: string): void {
  w.inf('Node').put({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `u-${name}`, resourceVersion: '1' }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  renewLease(w, name);
}

function renewLease(w: World, name: string): void {
  w.inf('Lease').put({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'shoal-system', resourceVersion: String(w.now()) }, spec: { renewTime: microTime(w.now()) } });
}

/** Advances the clock, renewing the leases of `alive` along the way (every 10 s). */
function advance(w: World, ms: number, alive: string[]): void {
  while (ms > 0) {
    const step = Math.min(ms, 10_000);
    w.advance(step);
    ms -= step;
    for (const n of alive) renewLease(w, n);
  }
}

describe('node lifecycle reconcile (fake client, fake clock)', () => {
  it('waits out the grace period, then marks, taints and evicts on the toleration schedule, and untaints on renewal', async () => {
    const w = fakeWorld(Date.parse('2024-05-01T10:00:00Z'));
    const reconcile = nodeLifecycleController({ nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 300_000 }).setup(w.ctx, w.queue);
    // Two healthy nodes beside it: one silent node of three is not a disruption.
    putNode(w, 'h1');
    putNode(w, 'h2');
    const alive = ['h1', 'h2'];
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

    advance(w, 40_100, alive);
    const r = await reconcile('n2');
    const writes = w.actions.filter((a) => a.kind !== 'Event' && a.verb !== 'get');
    expect(writes.map((a) => `${a.verb} ${a.kind}`)).toEqual(['updateStatus Node', 'update Node']);
    expect((writes[0]!.object as Node__Output).status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    // The Unknown just written also calls for unreachable:NoSchedule: one write has both.
    expect((writes[1]!.object as Node__Output).spec?.taints).toEqual([
      { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: '2024-05-01T10:00:40Z' },
      { key: UNREACHABLE, effect: 'NoExecute', timeAdded: '2024-05-01T10:00:40Z' },
    ]);
    // The next timer is the 2 s toleration.
    expect(r).toEqual({ requeueAfter: 2000 });
    await new Promise((res) => setTimeout(res, 0));
    const notReady = w.actions.find((a) => a.kind === 'Event' && a.verb === 'create');
    expect(notReady?.object).toMatchObject({ reason: 'NodeNotReady', message: 'Node n2 not ready; evicting its pods in 300s', involvedObject: { kind: 'Node', name: 'n2' } });

    // Running it again changes nothing (idempotent).
    w.actions.length = 0;
    expect(await reconcile('n2')).toEqual({ requeueAfter: 2000 });
    expect(w.actions.filter((a) => a.verb !== 'get')).toEqual([]);

    advance(w, 2000, alive);
    expect(await reconcile('n2')).toEqual({ requeueAfter: 298_000 });
    // A graceful delete only: no force delete behind it (the node may only be partitioned).
    expect(w.actions.filter((a) => a.verb === 'delete').map((a) => [a.name, a.opts])).toEqual([['short', undefined]]);
    expect(w.inf('Pod').getByKey('default/short')?.metadata?.deletionTimestamp).toBeTruthy();
    // Evicted once: a reconcile later leaves the terminating pod alone.
    w.actions.length = 0;
    expect(await reconcile('n2')).toEqual({ requeueAfter: 298_000 });
    expect(w.actions.filter((a) => a.verb === 'delete')).toEqual([]);

    advance(w, 298_000, alive);
    w.actions.length = 0;
    expect(await reconcile('n2')).toBeUndefined();
    expect(w.actions.filter((a) => a.verb === 'delete').map((a) => a.name)).toEqual(['plain']);
    expect(w.inf('Pod').getByKey('default/forever')?.metadata?.deletionTimestamp).toBeUndefined();

    // The lease is renewed: the NoExecute taint goes; NoSchedule stays while Ready reads Unknown.
    w.actions.length = 0;
    w.inf('Lease').put({ ...w.inf('Lease').getByKey('shoal-system/n2')!, spec: { renewTime: microTime(w.now()) } });
    expect(await reconcile('n2')).toEqual({ requeueAfter: 40_100 });
    const untaint = w.actions.find((a) => a.verb === 'update' && a.kind === 'Node');
    expect((untaint?.object as Node__Output).spec?.taints).toEqual([{ key: UNREACHABLE, effect: 'NoSchedule', timeAdded: '2024-05-01T10:00:40Z' }]);
    // The agent posts Ready=True: that goes too.
    w.actions.length = 0;
    const back = w.inf('Node').getByKey('n2')!;
    w.inf('Node').put({ ...back, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: timestampOf(w.now()) }] } });
    expect(await reconcile('n2')).toEqual({ requeueAfter: 40_100 });
    expect((w.actions.find((a) => a.verb === 'update' && a.kind === 'Node')?.object as Node__Output).spec?.taints).toEqual([]);

    // The Node object is deleted: only now are its pods force-deleted.
    w.actions.length = 0;
    w.inf('Node').remove('n2');
    expect(w.queued.at(-1)).toBe('n2');
    await reconcile('n2');
    expect(w.actions.filter((a) => a.verb === 'delete').map((a) => [a.name, a.opts])).toEqual([
      ['short', { gracePeriodSeconds: 0 }],
      ['plain', { gracePeriodSeconds: 0 }],
      ['forever', { gracePeriodSeconds: 0 }],
    ]);
  });

  it('two silent nodes of three: disruption mode, marked Unknown but not tainted, nothing evicted', async () => {
    const w = fakeWorld(Date.parse('2024-05-01T10:00:00Z'));
    const reconcile = nodeLifecycleController({ nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 300_000 }).setup(w.ctx, w.queue);
    for (const n of ['a', 'b', 'c']) putNode(w, n);
    for (const n of ['a', 'b']) w.inf('Pod').put({ ...pod(`p-${n}`, n), metadata: { name: `p-${n}`, namespace: 'default', uid: `u-p-${n}`, resourceVersion: '1' } });
    for (const n of ['a', 'b', 'c']) await reconcile(n);

    // A stalled watch (or a partition) silences a and b; c still renews.
    advance(w, 400_000, ['c']);
    w.queued.length = 0;
    for (const n of ['a', 'b', 'c']) await reconcile(n);
    const writes = w.actions.filter((a) => a.verb !== 'get' && a.kind !== 'Event');
    // Marked Unknown, and so unschedulable (NoSchedule is never held back), but no NoExecute.
    expect(writes.map((a) => `${a.verb} ${a.kind} ${a.name}`)).toEqual(['updateStatus Node a', 'update Node a', 'updateStatus Node b', 'update Node b']);
    expect((writes[0]!.object as Node__Output).status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'Unknown' });
    expect(writes.filter((a) => a.verb === 'update').map((a) => (a.object as Node__Output).spec?.taints?.map((t) => `${t.key}:${t.effect}`))).toEqual([
      [`${UNREACHABLE}:NoSchedule`],
      [`${UNREACHABLE}:NoSchedule`],
    ]);
    expect(w.actions.filter((a) => a.verb === 'delete')).toEqual([]);
    // Entering disruption mode re-queued every node.
    expect(new Set(w.queued)).toEqual(new Set(['a', 'b', 'c']));

    // b comes back: one silent of three, evictions resume (a is tainted, its pod evicted).
    renewLease(w, 'b');
    w.actions.length = 0;
    await reconcile('b');
    expect(await reconcile('a')).toEqual({ requeueAfter: 300_000 });
    const taint = w.actions.find((a) => a.verb === 'update' && a.kind === 'Node' && a.name === 'a');
    expect((taint?.object as Node__Output).spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual([`${UNREACHABLE}:NoSchedule`, `${UNREACHABLE}:NoExecute`]);
    expect(w.actions.filter((a) => a.verb === 'delete')).toEqual([]);
    advance(w, 300_000, ['b', 'c']);
    expect(await reconcile('a')).toBeUndefined();
    expect(w.actions.filter((a) => a.verb === 'delete').map((a) => [a.name, a.opts])).toEqual([['p-a', undefined]]);
  });

  it('all nodes silent (one node alone too): nothing is tainted or evicted', async () => {
    const w = fakeWorld(Date.parse('2024-05-01T10:00:00Z'));
    const reconcile = nodeLifecycleController({ nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 1000 }).setup(w.ctx, w.queue);
    putNode(w, 'solo');
    w.inf('Pod').put({ ...pod('p', 'solo'), metadata: { name: 'p', namespace: 'default', uid: 'u-p', resourceVersion: '1' } });
    await reconcile('solo');
    w.advance(100_000);
    expect(await reconcile('solo')).toEqual({ requeueAfter: 40_000 });
    const updates = w.actions.filter((a) => a.verb === 'update');
    expect(updates.flatMap((a) => (a.object as Node__Output).spec?.taints ?? []).filter((t) => t.effect === 'NoExecute')).toEqual([]);
    expect(w.actions.filter((a) => a.verb === 'delete')).toEqual([]);
  });

  it('rate-limits tainting to 0.1 node/s', async () => {
    const w = fakeWorld(Date.parse('2024-05-01T10:00:00Z'));
    const reconcile = nodeLifecycleController({ nodeMonitorGracePeriodMs: 40_000 }).setup(w.ctx, w.queue);
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    for (const n of names) putNode(w, n);
    for (const n of names) await reconcile(n);
    advance(w, 40_100, names.slice(2));
    const tainted = () =>
      new Set(
        w.actions
          .filter((a) => a.verb === 'update' && a.kind === 'Node' && (a.object as Node__Output).spec?.taints?.some((t) => t.effect === 'NoExecute'))
          .map((a) => a.name),
      );
    expect(await reconcile('a')).toBeUndefined();
    expect(await reconcile('b')).toEqual({ requeueAfter: 10_000 });
    expect(tainted()).toEqual(new Set(['a']));
    advance(w, 10_000, names.slice(2));
    await reconcile('b');
    expect(tainted()).toEqual(new Set(['a', 'b']));
  });

  it('after a restart, neither untaints a tainted node nor evicts from it before its lease is seen to change', async () => {
    const w = fakeWorld(Date.parse('2024-05-01T10:00:00Z'));
    const reconcile = nodeLifecycleController({ nodeMonitorGracePeriodMs: 40_000 }).setup(w.ctx, w.queue);
    w.inf('Node').put({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n3', resourceVersion: '1' },
      spec: { taints: [{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: '2024-05-01T09:59:00Z' }] },
      status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
    });
    w.inf('Pod').put({ ...pod('p3', 'n3'), metadata: { name: 'p3', namespace: 'default', uid: 'u-p3', resourceVersion: '1' } });
    expect(await reconcile('n3')).toEqual({ requeueAfter: 40_100 });
    // Only the NoSchedule taint that its Unknown condition calls for is added.
    const writes = w.actions.filter((a) => a.verb !== 'get');
    expect(writes.map((a) => `${a.verb} ${a.kind}`)).toEqual(['update Node']);
    expect((writes[0]!.object as Node__Output).spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual([`${UNREACHABLE}:NoExecute`, `${UNREACHABLE}:NoSchedule`]);
  });

  // ---- Ready=False (not-ready) and the NoSchedule taints ----

  const NOT_READY = 'node.kubernetes.io/not-ready';
  /** The agent posts status: Ready (and other conditions) with a fresh heartbeat. */
  const post = (w: World, name: string, ready: string, extra: Record<string, string> = {}, spec?: Record<string, unknown>): void => {
    const node = w.inf('Node').getByKey(name)!;
    const t = timestampOf(w.now());
    const conditions = [
      { type: 'Ready', status: ready, reason: ready === 'True' ? 'KubeletReady' : 'KubeletNotReady', lastHeartbeatTime: t },
      ...Object.entries(extra).map(([type, status]) => ({ type, status, lastHeartbeatTime: t })),
    ];
    w.inf('Node').put({ ...node, spec: spec ?? node.spec, status: { conditions } });
  };
  const taintsOn = (w: World, name: string) => ((w.inf('Node').getByKey(name) as Node__Output).spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
  const podOn = (w: World, name: string, node: string, tolerations?: Record<string, unknown>[]) =>
    w.inf('Pod').put({ ...pod(name, node, tolerations), metadata: { name, namespace: 'default', uid: `u-${name}`, resourceVersion: '1' } });
  const deleted = (w: World) => w.actions.filter((a) => a.verb === 'delete').map((a) => a.name);

  it('Ready=False: not-ready NoExecute and NoSchedule at once, evictions on the not-ready tolerations, swapped for unreachable when it goes silent, all gone on Ready=True', async () => {
    const w = fakeWorld(Date.parse('2024-05-01T10:00:00Z'));
    const reconcile = nodeLifecycleController({ nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 300_000 }).setup(w.ctx, w.queue);
    for (const n of ['h1', 'h2', 'x', 'n']) putNode(w, n);
    const alive = ['h1', 'h2', 'x', 'n'];
    podOn(w, 'nr-2s', 'n', [{ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }]);
    podOn(w, 'nr-60s-ur-forever', 'n', [
      { key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
      { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    ]);
    podOn(w, 'ur-only', 'n', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]);
    for (const n of alive) await reconcile(n);
    expect(w.actions.filter((a) => a.verb !== 'get')).toEqual([]);

    w.actions.length = 0;
    post(w, 'n', 'False');
    // The agent's own verdict: no grace period. The next timer is the 2 s toleration.
    expect(await reconcile('n')).toEqual({ requeueAfter: 2000 });
    expect(taintsOn(w, 'n')).toEqual([`${NOT_READY}:NoSchedule`, `${NOT_READY}:NoExecute`]);
    expect(w.actions.filter((a) => a.verb === 'updateStatus')).toEqual([]);
    await new Promise((res) => setTimeout(res, 0));
    expect(w.actions.find((a) => a.kind === 'Event' && a.verb === 'create' && (a.object as Event__Output).involvedObject?.name === 'n')?.object).toMatchObject({
      reason: 'NodeNotReady',
      message: 'Node n reports Ready=False (KubeletNotReady); evicting its pods in 300s',
    });
    // 2 s on, the 2 s pod goes; the grace-period timer (40 s) comes before the 60 s one.
    advance(w, 2000, ['h1', 'h2', 'x']);
    post(w, 'n', 'False');
    expect(await reconcile('n')).toEqual({ requeueAfter: 40_100 });
    expect(deleted(w)).toEqual(['nr-2s']);
    expect(taintsOn(w, 'n')).toEqual([`${NOT_READY}:NoSchedule`, `${NOT_READY}:NoExecute`]);

    // Then it goes silent (a dead agent). Another node takes the limiter's token just before.
    advance(w, 40_100, ['h1', 'h2', 'x']);
    post(w, 'x', 'False');
    await reconcile('x');
    expect(taintsOn(w, 'x')).toContain(`${NOT_READY}:NoExecute`);
    w.actions.length = 0;
    // No token, and no waiting for one: a swap, in one write with the NoSchedule swap. No pod
    // has a timer now: nr-60s-ur-forever and ur-only tolerate unreachable for ever.
    expect(await reconcile('n')).toBeUndefined();
    const writes = w.actions.filter((a) => a.verb !== 'get' && a.kind !== 'Event');
    expect(writes.map((a) => `${a.verb} ${a.kind}`)).toEqual(['updateStatus Node', 'update Node']);
    expect(taintsOn(w, 'n')).toEqual([`${UNREACHABLE}:NoSchedule`, `${UNREACHABLE}:NoExecute`]);
    expect(deleted(w)).toEqual([]);
    // The eviction clock runs from the first (not-ready) taint, 42.1 s ago: a pod without a
    // matching toleration (stored before the default ones) has 300 s from then.
    podOn(w, 'none', 'n', []);
    expect(await reconcile('n')).toEqual({ requeueAfter: 300_000 - 42_100 });
    advance(w, 300_000 - 42_100, ['h1', 'h2', 'x']);
    await reconcile('n');
    expect(deleted(w)).toEqual(['none']);

    // Back, and Ready=True: both taints go.
    renewLease(w, 'n');
    post(w, 'n', 'True');
    w.actions.length = 0;
    expect(await reconcile('n')).toEqual({ requeueAfter: 40_100 });
    expect(taintsOn(w, 'n')).toEqual([]);
  });

  it('Ready=Unknown -> False swaps unreachable for not-ready at once', async () => {
    const w = fakeWorld(Date.parse('2024-05-01T10:00:00Z'));
    const reconcile = nodeLifecycleController({ nodeMonitorGracePeriodMs: 40_000 }).setup(w.ctx, w.queue);
    for (const n of ['h1', 'h2', 'n']) putNode(w, n);
    for (const n of ['h1', 'h2', 'n']) await reconcile(n);
    advance(w, 40_100, ['h1', 'h2']);
    await reconcile('n');
    expect(taintsOn(w, 'n')).toEqual([`${UNREACHABLE}:NoSchedule`, `${UNREACHABLE}:NoExecute`]);
    // The limiter is empty now; the agent is back but its runtime is down.
    renewLease(w, 'n');
    post(w, 'n', 'False');
    await reconcile('n');
    expect(taintsOn(w, 'n')).toEqual([`${NOT_READY}:NoSchedule`, `${NOT_READY}:NoExecute`]);
  });

  it('NoSchedule taints follow the conditions and the cordon; other taints are left alone', async () => {
    const w = fakeWorld(Date.parse('2024-05-01T10:00:00Z'));
    const reconcile = nodeLifecycleController({ nodeMonitorGracePeriodMs: 40_000 }).setup(w.ctx, w.queue);
    putNode(w, 'n');
    const user = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    post(w, 'n', 'True', { MemoryPressure: 'True', DiskPressure: 'True', PIDPressure: 'True', NetworkUnavailable: 'True' }, { unschedulable: true, taints: [user] });
    await reconcile('n');
    expect(taintsOn(w, 'n')).toEqual([
      'dedicated:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/network-unavailable:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    // Idempotent.
    w.actions.length = 0;
    await reconcile('n');
    expect(w.actions.filter((a) => a.verb !== 'get')).toEqual([]);
    // Pressure gone, uncordoned: only the user's taint is left.
    post(w, 'n', 'True', { MemoryPressure: 'False' }, { unschedulable: false, taints: (w.inf('Node').getByKey('n') as Node__Output).spec?.taints });
    await reconcile('n');
    expect(taintsOn(w, 'n')).toEqual(['dedicated:NoSchedule']);
  });

  it('nextTaints: keeps what is still wanted with its timeAdded, drops duplicates, keep leaves NoExecute alone', () => {
    const node = {
      metadata: { name: 'n' },
      spec: {
        taints: [
          { key: UNREACHABLE, effect: 'NoExecute', timeAdded: 't0' },
          { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: 't0' },
          { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: 't1' },
          { key: 'node.kubernetes.io/unschedulable', effect: 'NoExecute' },
        ],
      },
      status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
    };
    expect(nextTaints(node, 'keep', 'now')).toEqual([
      { key: UNREACHABLE, effect: 'NoExecute', timeAdded: 't0' },
      { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: 't0' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoExecute' },
    ]);
    expect(nextTaints(node, NOT_READY, 'now').map((t) => `${t.key}:${t.effect}:${t.timeAdded ?? ''}`)).toEqual([
      `${UNREACHABLE}:NoSchedule:t0`,
      'node.kubernetes.io/unschedulable:NoExecute:',
      `${NOT_READY}:NoExecute:now`,
    ]);
    expect(nextTaints(node, 'none', 'now').map((t) => t.effect)).toEqual(['NoSchedule', 'NoExecute']);
  });

  it('every node Ready=False: disruption mode, NoSchedule only, an existing NoExecute taint removed, nothing evicted; evictions resume after', async () => {
    const w = fakeWorld(Date.parse('2024-05-01T10:00:00Z'));
    const reconcile = nodeLifecycleController({ nodeMonitorGracePeriodMs: 40_000 }).setup(w.ctx, w.queue);
    const all = ['a', 'b', 'c'];
    for (const n of all) putNode(w, n);
    podOn(w, 'p', 'a', [{ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]);
    for (const n of all) await reconcile(n);
    post(w, 'a', 'False');
    await reconcile('a');
    expect(taintsOn(w, 'a')).toEqual([`${NOT_READY}:NoSchedule`, `${NOT_READY}:NoExecute`]);

    // b and c too, before p's second is up (a runtime upgrade gone wrong everywhere).
    advance(w, 500, all);
    post(w, 'b', 'False');
    post(w, 'c', 'False');
    w.queued.length = 0;
    for (const n of ['b', 'c', 'a']) await reconcile(n);
    expect(new Set(w.queued)).toEqual(new Set(all));
    for (const n of all) expect(taintsOn(w, n)).toEqual([`${NOT_READY}:NoSchedule`]);
    advance(w, 100_000, all);
    for (const n of all) post(w, n, 'False');
    for (const n of all) await reconcile(n);
    for (const n of all) expect(taintsOn(w, n)).toEqual([`${NOT_READY}:NoSchedule`]);
    expect(deleted(w)).toEqual([]);

    // Two recover: one unhealthy of three is no disruption; a is tainted again and p evicted.
    post(w, 'b', 'True');
    post(w, 'c', 'True');
    for (const n of ['b', 'c']) await reconcile(n);
    await reconcile('a');
    expect(taintsOn(w, 'a')).toEqual([`${NOT_READY}:NoSchedule`, `${NOT_READY}:NoExecute`]);
    advance(w, 1000, all);
    post(w, 'a', 'False');
    await reconcile('a');
    expect(deleted(w)).toEqual(['p']);
  });
});
