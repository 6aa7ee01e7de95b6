// The node lifecycle controller against a real API server, with a fake node: a Node and its
// Lease that the test renews by hand and then stops renewing, as a dead agent would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../lib/errors.js';
import type { Event__Output } from '../lib/gen/shoal/v1/Event.js';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { KubeObject } from '../lib/kinds.js';
import { startControllers, type ControllersHandle } from '../services/controllers/index.js';
import { tolerationMs } from '../services/controllers/node-lifecycle.js';
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
async function fakeNode(name: string): Promise<{ stop(): void; resume(): void }> {
  const node = await cluster.client.create({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await cluster.client.updateStatus({
    ...node,
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: now, lastTransitionTime: now }] },
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
