// Node taints by condition against a real API server (NATS, LevelDB) with the real node
// lifecycle controller, and the real scheduler for NoSchedule: fake agents that renew their
// Lease and post their own Ready condition, True or False, as an agent whose container runtime
// is down does. This file has its own cluster, so that "every node" means the nodes here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryOnConflict } from '../lib/client.js';
import { NotFoundError } from '../lib/errors.js';
import type { Condition__Output } from '../lib/gen/shoal/v1/Condition.js';
import type { Event__Output } from '../lib/gen/shoal/v1/Event.js';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { Taint__Output } from '../lib/gen/shoal/v1/Taint.js';
import type { KubeObject } from '../lib/kinds.js';
import { applyDefaults } from '../services/api/defaults.js';
import { startControllers, type ControllersHandle } from '../services/controllers/index.js';
import { eventually, startTestCluster, TEST_TOKEN, type TestCluster } from './harness.js';

const GRACE_MS = 1500;
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
const MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
/** Adding a NoExecute taint waits for the 0.1/s limiter: up to 10 s after the last one. */
const LIMITER_MS = 10_000;

let cluster: TestCluster;
let controllers: ControllersHandle;
const agents = new Map<string, FakeAgent>();

beforeAll(async () => {
  cluster = await startTestCluster();
  controllers = await startControllers({
    server: cluster.api.address,
    token: TEST_TOKEN,
    natsUrl: cluster.nats.url,
    leaderElection: false,
    controllers: ['node-lifecycle'],
    nodeMonitorGracePeriodMs: GRACE_MS,
    logger: { info: () => {}, warn: () => {}, error: (m) => console.error(m) },
  });
  await controllers.ready;
});

afterAll(async () => {
  for (const a of agents.values()) a.stop();
  await controllers?.stop();
  await cluster?.stop();
});

const seconds = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const microTime = (ms = Date.now()) => new Date(ms).toISOString().replace(/Z$/, '000Z');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface FakeAgent {
  /** Posts the node's conditions with a fresh heartbeat: Ready, plus any others given. */
  post(ready: 'True' | 'False', others?: Record<string, string>): Promise<void>;
  /** Stops renewing the lease (and posting): a dead agent. */
  stop(): void;
  /** Renews again and posts Ready=True. */
  resume(): Promise<void>;
}

/** A Node whose agent renews its Lease every 200 ms and posts what it is told. */
async function fakeAgent(name: string): Promise<FakeAgent> {
  await cluster.client.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {} });
  const resources = { cpu: '4', memory: '8Gi', pods: '110' };
  const post = async (ready: 'True' | 'False', others: Record<string, string> = {}): Promise<void> => {
    await retryOnConflict(async () => {
      const fresh = await cluster.client.get('Node', '', name);
      const prev = ((fresh.status ?? {}) as Node__Output['status'])?.conditions ?? [];
      const now = seconds();
      const cond = (type: string, status: string, reason: string, message: string): Condition__Output => ({
        type,
        status,
        reason,
        message,
        lastHeartbeatTime: now,
        lastTransitionTime: prev.find((c) => c.type === type && c.status === status)?.lastTransitionTime ?? now,
      });
      const conditions = [
        ready === 'True' ? cond('Ready', 'True', 'KubeletReady', 'the node agent is posting ready status') : cond('Ready', 'False', 'KubeletNotReady', 'container runtime is down'),
        ...Object.entries(others).map(([type, status]) => cond(type, status, `Test${type}`, `${type} is ${status}`)),
      ];
      await cluster.client.updateStatus({ ...fresh, status: { capacity: resources, allocatable: resources, conditions } });
    });
  };
  await post('True');
  let lease = await cluster.client.create({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'shoal-system' },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() },
  });
  let timer: NodeJS.Timeout | undefined;
  const start = (): void => {
    clearInterval(timer);
    timer = setInterval(() => {
      void cluster.client
        .update({ ...lease, spec: { ...(lease.spec as object), renewTime: microTime() } })
        .then((l) => (lease = l))
        .catch(() => {});
    }, 200);
  };
  start();
  const agent: FakeAgent = {
    post,
    stop: () => clearInterval(timer),
    resume: async () => {
      start();
      await post('True');
    },
  };
  agents.set(name, agent);
  return agent;
}

function pod(name: string, nodeName: string, tolerations?: Record<string, unknown>[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'main', image: 'busybox' }], ...(tolerations ? { tolerations } : {}), ...extra },
  };
}

async function getPod(name: string): Promise<Pod__Output | undefined> {
  try {
    return (await cluster.client.get('Pod', 'default', name)) as Pod__Output;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** Gone, or evicted: a graceful delete of a pod on a node without an agent leaves it terminating. */
async function evicted(name: string): Promise<boolean> {
  const p = await getPod(name);
  return !p || !!p.metadata?.deletionTimestamp;
}

const getNode = async (name: string) => (await cluster.client.get('Node', '', name)) as Node__Output;
const taintsOf = async (name: string): Promise<Taint__Output[]> => (await getNode(name)).spec?.taints ?? [];
const has = (taints: Taint__Output[], key: string, effect: string) => taints.some((t) => t.key === key && t.effect === effect);
const readyOf = async (name: string) => (await getNode(name)).status?.conditions?.find((c) => c.type === 'Ready')?.status;
const noExecute = (taints: Taint__Output[]) => taints.filter((t) => t.effect === 'NoExecute').map((t) => t.key);

async function setUnschedulable(name: string, unschedulable: boolean): Promise<void> {
  await retryOnConflict(async () => {
    const n = await getNode(name);
    await cluster.client.update({ ...n, apiVersion: 'v1', kind: 'Node', spec: { ...n.spec, unschedulable } });
  });
}

describe('DefaultTolerationSeconds (API server defaults)', () => {
  const defaulted = (tolerations?: Record<string, unknown>[]) => {
    const p = pod('p', '', tolerations);
    applyDefaults(p);
    return (p.spec as { tolerations?: unknown[] }).tolerations;
  };
  const notReady300 = { key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  const unreachable300 = { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

  it('adds 300 s tolerations of not-ready and unreachable NoExecute, each only where the pod has none of its own', () => {
    expect(defaulted()).toEqual([notReady300, unreachable300]);
    // Its own, for any time or for ever, wins; a NoSchedule one does not count.
    const mine = { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 7 };
    expect(defaulted([mine])).toEqual([mine, notReady300]);
    const noSchedule = { key: NOT_READY, operator: 'Exists', effect: 'NoSchedule' };
    expect(defaulted([noSchedule])).toEqual([noSchedule, notReady300, unreachable300]);
    // An empty effect matches NoExecute; an empty key with Exists matches both keys.
    const anyEffect = { key: NOT_READY, operator: 'Exists' };
    expect(defaulted([anyEffect])).toEqual([anyEffect, unreachable300]);
    expect(defaulted([{ operator: 'Exists' }])).toEqual([{ operator: 'Exists' }]);
    expect(defaulted([{ operator: 'Exists', effect: 'NoExecute' }])).toEqual([{ operator: 'Exists', effect: 'NoExecute' }]);
    // Idempotent.
    const p = pod('p', '');
    applyDefaults(p);
    const once = structuredClone(p);
    applyDefaults(p);
    expect(p).toEqual(once);
  });

  it('leaves pod templates alone, as Kubernetes does (their pods get them when created)', () => {
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs', namespace: 'default' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'main', image: 'busybox' }] } } },
    };
    applyDefaults(rs);
    expect((rs.spec as { template: { spec: { tolerations?: unknown } } }).template.spec.tolerations).toBeUndefined();
  });
});

describe('a node whose agent reports Ready=False', () => {
  it('is tainted not-ready (NoExecute and NoSchedule) without a grace period, evicts pods as their not-ready tolerations run out, swaps to unreachable when it goes silent, is untainted on Ready=True; a cordon taints unschedulable', async () => {
    await fakeAgent('h1');
    await fakeAgent('h2');
    const nr = await fakeAgent('nr');
    await cluster.client.create(pod('nr-short', 'nr', [{ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }]));
    await cluster.client.create(pod('nr-defaults', 'nr'));
    await cluster.client.create(pod('nr-forever', 'nr', [{ key: NOT_READY, operator: 'Exists', effect: 'NoExecute' }]));
    // The API server's DefaultTolerationSeconds: 300 s for what the pod does not tolerate itself.
    expect((await getPod('nr-defaults'))?.spec?.tolerations).toEqual([
      { key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    expect((await getPod('nr-forever'))?.spec?.tolerations).toEqual([
      { key: NOT_READY, operator: 'Exists', effect: 'NoExecute' },
      { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);

    // Healthy and renewing: left alone well past the grace period.
    await sleep(GRACE_MS * 2);
    expect(await taintsOf('nr')).toEqual([]);

    // The runtime is down: the agent, alive, says Ready=False.
    await nr.post('False');
    const reportedAt = Date.now();
    await eventually(async () => has(await taintsOf('nr'), NOT_READY, 'NoExecute'), 'the not-ready NoExecute taint', 5000);
    const taintedAt = Date.now();
    // No grace period: the agent's own verdict (the limiter had its token).
    expect(taintedAt - reportedAt).toBeLessThan(GRACE_MS);
    const taints = await taintsOf('nr');
    expect(taints.map((t) => `${t.key}:${t.effect}`).sort()).toEqual([`${NOT_READY}:NoExecute`, `${NOT_READY}:NoSchedule`]);
    expect(await readyOf('nr')).toBe('False');
    await eventually(
      async () =>
        ((await cluster.client.list('Event', { namespace: 'default' })).items as Event__Output[]).some(
          (e) => e.reason === 'NodeNotReady' && e.involvedObject?.name === 'nr' && /reports Ready=False \(KubeletNotReady\)/.test(e.message ?? ''),
        ),
      'the NodeNotReady event',
      5000,
    );

    // The 2 s not-ready toleration runs out; the 300 s default and the for-ever one do not.
    await eventually(async () => await evicted('nr-short'), 'the 2 s pod to be evicted', 8000);
    expect(Date.now() - taintedAt).toBeGreaterThanOrEqual(1500);
    expect((await getPod('nr-short'))?.metadata?.deletionTimestamp).toBeTruthy();
    expect(await evicted('nr-defaults')).toBe(false);
    expect(await evicted('nr-forever')).toBe(false);

    // The agent dies: Ready goes Unknown and the taints are swapped in one write, without
    // waiting for the limiter (its token went 2 s ago): never no NoExecute taint in between.
    nr.stop();
    let gap = false;
    await eventually(
      async () => {
        const t = await taintsOf('nr');
        if (noExecute(t).length === 0) gap = true;
        return has(t, UNREACHABLE, 'NoExecute');
      },
      'the swap to unreachable',
      GRACE_MS + 5000,
    );
    expect(Date.now() - taintedAt).toBeLessThan(LIMITER_MS - 2000);
    expect(gap).toBe(false);
    await eventually(async () => has(await taintsOf('nr'), UNREACHABLE, 'NoSchedule'), 'unreachable:NoSchedule', 5000);
    const swapped = await taintsOf('nr');
    expect(swapped.map((t) => `${t.key}:${t.effect}`).sort()).toEqual([`${UNREACHABLE}:NoExecute`, `${UNREACHABLE}:NoSchedule`]);
    expect(await readyOf('nr')).toBe('Unknown');
    // nr-forever tolerates unreachable for 300 s (the default): still there.
    expect(await evicted('nr-forever')).toBe(false);

    // Back, and Ready=True: every not-ready and unreachable taint goes.
    await nr.resume();
    await eventually(async () => (await taintsOf('nr')).length === 0, 'the taints to be removed', 5000);

    // Cordoned: unschedulable:NoSchedule; uncordoned: gone.
    await setUnschedulable('nr', true);
    await eventually(async () => has(await taintsOf('nr'), UNSCHEDULABLE, 'NoSchedule'), 'unschedulable:NoSchedule', 5000);
    await setUnschedulable('nr', false);
    await eventually(async () => (await taintsOf('nr')).length === 0, 'the unschedulable taint to be removed', 5000);
  }, 120_000);
});

describe('every node not ready (full disruption)', () => {
  it('no NoExecute taint and no eviction while every node reports Ready=False; both resume when the others recover', async () => {
    // The nodes of the test before, healthy again.
    const [h1, h2, nr] = ['h1', 'h2', 'nr'].map((n) => agents.get(n)!) as [FakeAgent, FakeAgent, FakeAgent];
    expect((await cluster.client.list('Node')).items.map((n) => n.metadata?.name).sort()).toEqual(['h1', 'h2', 'nr']);

    // One node of three not ready: tainted (after the limiter) and its pod evicted.
    await cluster.client.create(pod('g-early', 'nr', [{ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]));
    await nr.post('False');
    await eventually(async () => has(await taintsOf('nr'), NOT_READY, 'NoExecute'), 'nr tainted not-ready', LIMITER_MS + 5000);
    await eventually(async () => await evicted('g-early'), 'g-early evicted', 6000);

    // The other two as well (a runtime upgrade gone wrong everywhere): disruption mode. The
    // taint on nr is removed; h1 and h2 get only NoSchedule.
    await h1.post('False');
    await h2.post('False');
    await eventually(async () => !has(await taintsOf('nr'), NOT_READY, 'NoExecute'), 'nr\'s NoExecute taint removed', 5000);
    for (const n of ['h1', 'h2']) await eventually(async () => has(await taintsOf(n), NOT_READY, 'NoSchedule'), `${n} not-ready:NoSchedule`, 5000);
    await cluster.client.create(pod('guarded', 'nr', [{ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]));
    // Longer than the limiter's refill and far longer than the 1 s toleration.
    const until = Date.now() + LIMITER_MS + 2000;
    for (let i = 0; i < 200 && Date.now() < until; i++) {
      for (const n of ['h1', 'h2', 'nr']) expect(noExecute(await taintsOf(n)), `NoExecute taints on ${n}`).toEqual([]);
      expect(await evicted('guarded')).toBe(false);
      await sleep(250);
    }
    for (const n of ['h1', 'h2', 'nr']) expect(has(await taintsOf(n), NOT_READY, 'NoSchedule')).toBe(true);

    // h1 and h2 recover: one of three is no disruption; nr is tainted and guarded evicted.
    await h1.post('True');
    await h2.post('True');
    await eventually(async () => has(await taintsOf('nr'), NOT_READY, 'NoExecute'), 'nr tainted again', LIMITER_MS + 5000);
    await eventually(async () => await evicted('guarded'), 'guarded evicted', 6000);
    for (const n of ['h1', 'h2']) await eventually(async () => (await taintsOf(n)).length === 0, `${n} untainted`, 5000);
    await nr.post('True');
    await eventually(async () => (await taintsOf('nr')).length === 0, 'nr untainted', 5000);
  }, 120_000);
});

describe('the scheduler and condition taints', () => {
  it('keeps a pod off a node under memory pressure unless it tolerates memory-pressure:NoSchedule, and places it once the pressure is gone', async () => {
    const { startScheduler } = await import('../services/scheduler/index.js');
    const scheduler = await startScheduler({ server: cluster.api.address, token: TEST_TOKEN, natsUrl: cluster.nats.url, logger: { info: () => {}, warn: () => {} } });
    try {
      await scheduler.ready;
      const mp = await fakeAgent('mp');
      await mp.post('True', { MemoryPressure: 'True' });
      await eventually(async () => has(await taintsOf('mp'), MEMORY_PRESSURE, 'NoSchedule'), 'memory-pressure:NoSchedule', 5000);
      const onMp = { nodeSelector: { 'kubernetes.io/hostname': 'mp' } };
      await cluster.client.create(pod('mp-plain', '', undefined, onMp));
      await cluster.client.create(pod('mp-tolerant', '', [{ key: MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' }], onMp));
      await eventually(async () => (await getPod('mp-tolerant'))?.spec?.nodeName === 'mp', 'mp-tolerant placed on mp', 10_000);
      await eventually(
        async () => /memory-pressure/.test((await getPod('mp-plain'))?.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? ''),
        'mp-plain unschedulable for the memory-pressure taint',
        10_000,
      );
      expect((await getPod('mp-plain'))?.spec?.nodeName ?? '').toBe('');

      await mp.post('True', { MemoryPressure: 'False' });
      await eventually(async () => (await taintsOf('mp')).length === 0, 'the memory-pressure taint removed', 5000);
      await eventually(async () => (await getPod('mp-plain'))?.spec?.nodeName === 'mp', 'mp-plain placed once the pressure is gone', 20_000);
    } finally {
      await scheduler.stop();
    }
  }, 120_000);
});
