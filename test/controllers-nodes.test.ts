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
    await eventually(async () => await evicted('short'), 'the 2 s pod to be evicted', 6000);
    const shortGone = Date.now();
    expect(shortGone - taintedAt).toBeGreaterThanOrEqual(1500);
    // Evicted gracefully, not force-deleted: the node may only be partitioned.
    expect((await getPod('short'))?.metadata?.deletionTimestamp).toBeTruthy();
    expect(await evicted('default')).toBe(false);
    expect(await evicted('forever')).toBe(false);
    // The default toleration (podEvictionTimeout) runs out next.
    await eventually(async () => await evicted('default'), 'the default-toleration pod to be evicted', EVICTION_MS + 4000);
    expect(Date.now() - taintedAt).toBeGreaterThanOrEqual(EVICTION_MS - 1200);
    expect(
      ((await cluster.client.list('Event', { namespace: 'default' })).items as Event__Output[]).some(
        (e) => e.reason === 'TaintManagerEviction' && e.involvedObject?.name === 'short',
      ),
    ).toBe(true);
    // A pod that tolerates the taint for ever stays.
    expect(await evicted('forever')).toBe(false);

    // The agent comes back: the taint goes.
    agent.resume();
    await eventually(async () => !((await getNode('n2')).spec?.taints ?? []).some((t) => t.key === UNREACHABLE), 'the taint to be removed', 5000);
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

    // The lease is renewed: the taint goes.
    w.actions.length = 0;
    w.inf('Lease').put({ ...w.inf('Lease').getByKey('shoal-system/n2')!, spec: { renewTime: microTime(w.now()) } });
    expect(await reconcile('n2')).toEqual({ requeueAfter: 40_100 });
    const untaint = w.actions.find((a) => a.verb === 'update' && a.kind === 'Node');
    expect((untaint?.object as Node__Output).spec?.taints).toEqual([]);

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
    expect(writes.map((a) => `${a.verb} ${a.kind} ${a.name}`)).toEqual(['updateStatus Node a', 'updateStatus Node b']);
    expect((writes[0]!.object as Node__Output).status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'Unknown' });
    expect(w.actions.filter((a) => a.verb === 'delete')).toEqual([]);
    // Entering disruption mode re-queued every node.
    expect(new Set(w.queued)).toEqual(new Set(['a', 'b', 'c']));

    // b comes back: one silent of three, evictions resume (a is tainted, its pod evicted).
    renewLease(w, 'b');
    w.actions.length = 0;
    await reconcile('b');
    expect(await reconcile('a')).toEqual({ requeueAfter: 300_000 });
    const taint = w.actions.find((a) => a.verb === 'update' && a.kind === 'Node' && a.name === 'a');
    expect((taint?.object as Node__Output).spec?.taints?.map((t) => t.key)).toEqual([UNREACHABLE]);
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
    expect(w.actions.filter((a) => a.verb === 'update' || a.verb === 'delete')).toEqual([]);
  });

  it('rate-limits tainting to 0.1 node/s', async () => {
    const w = fakeWorld(Date.parse('2024-05-01T10:00:00Z'));
    const reconcile = nodeLifecycleController({ nodeMonitorGracePeriodMs: 40_000 }).setup(w.ctx, w.queue);
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    for (const n of names) putNode(w, n);
    for (const n of names) await reconcile(n);
    advance(w, 40_100, names.slice(2));
    const tainted = () => new Set(w.actions.filter((a) => a.verb === 'update' && a.kind === 'Node').map((a) => a.name));
    expect(await reconcile('a')).toBeUndefined();
    expect(await reconcile('b')).toEqual({ requeueAfter: 10_000 });
    expect(tainted()).toEqual(new Set(['a']));
    advance(w, 10_000, names.slice(2));
    await reconcile('b');
    expect(tainted()).toEqual(new Set(['a', 'b']));
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
