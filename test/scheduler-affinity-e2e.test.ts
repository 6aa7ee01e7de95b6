// Pod affinity end to end: a real nats-server and API server, the scheduler, and two node
// agents running the simulated container driver. A pod with required podAffinity on
// kubernetes.io/hostname joins its peer's node (where least-allocated alone would send it to
// the empty one) and runs there; a pod whose peer appears later is scheduled once it does;
// one whose peer never appears stays Pending with kube-scheduler's message.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ShoalClient } from '../lib/client.js';
import type { Event__Output } from '../lib/gen/shoal/v1/Event.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { KubeObject } from '../lib/kinds.js';
import type { ContainerDriver } from '../services/node-agent/driver.js';
import { createDriver } from '../services/node-agent/drivers/index.js';
import { startNodeAgent, type NodeAgentHandle } from '../services/node-agent/index.js';
import { startScheduler, type SchedulerHandle } from '../services/scheduler/index.js';
import { eventually, startTestCluster, tempDir, TEST_TOKEN, type TestCluster } from './harness.js';

const NODES = ['node-a', 'node-b'];
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

let cluster: TestCluster;
let scheduler: SchedulerHandle | undefined;
let agents: { agent: NodeAgentHandle; driver: ContainerDriver }[] = [];
let dir: { dir: string; cleanup: () => Promise<void> } | undefined;

function pod(name: string, labels: Record<string, string>, affinity?: Record<string, unknown>): KubeObject {
  const spec: Record<string, unknown> = { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 0 };
  if (affinity) spec.affinity = affinity;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec };
}

function nextTo(app: string): Record<string, unknown> {
  return { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: 'kubernetes.io/hostname' }] } };
}

async function getPod(client: ShoalClient, name: string): Promise<Pod__Output> {
  return (await client.get('Pod', 'default', name)) as Pod__Output;
}

describe('scheduler: required pod affinity on real node agents', () => {
  beforeEach(async () => {
    cluster = await startTestCluster();
    dir = await tempDir('shoal-affinity-');
    for (const nodeName of NODES) {
      const driver = createDriver('simulated', { node: nodeName, internalIP: '127.0.0.1' });
      const agent = await startNodeAgent({
        nodeName,
        server: cluster.api.address,
        token: TEST_TOKEN,
        natsUrl: cluster.nats.url,
        driver,
        dataDir: join(dir.dir, nodeName),
        leaseIntervalMs: 500,
        logger: quiet,
      });
      agents.push({ agent, driver });
      await agent.ready;
    }
    scheduler = await startScheduler({
      server: cluster.api.address,
      token: TEST_TOKEN,
      natsUrl: cluster.nats.url,
      podInitialBackoffMs: 100,
      podMaxBackoffMs: 500,
      logger: { info: () => {}, warn: (m) => console.warn(m) },
    });
    await scheduler.ready;
  }, 60_000);

  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    for (const { agent, driver } of agents) {
      await agent.stop();
      await driver.close();
    }
    agents = [];
    await cluster.stop();
    await dir?.cleanup();
    dir = undefined;
  }, 60_000);

  it('runs a pod on the node of the peer its required affinity selects', async () => {
    const { client } = cluster;
    await eventually(async () => (await client.list('Node')).items.length === NODES.length, 'both nodes registered', 20_000);
    await client.create(pod('web', { app: 'web' }));
    await eventually(async () => !!(await getPod(client, 'web')).spec?.nodeName, 'web bound', 20_000);
    const webNode = (await getPod(client, 'web')).spec?.nodeName;
    // Least-allocated and spreading alone would send each of these to the other, empty node.
    for (let i = 0; i < 3; i++) await client.create(pod(`cache-${i}`, { app: 'cache' }, nextTo('web')));
    for (let i = 0; i < 3; i++) {
      await eventually(async () => !!(await getPod(client, `cache-${i}`)).spec?.nodeName, `cache-${i} bound`, 20_000);
      expect((await getPod(client, `cache-${i}`)).spec?.nodeName).toBe(webNode);
    }
    await eventually(async () => (await getPod(client, 'cache-0')).status?.phase === 'Running', 'cache-0 running on its node', 20_000);

    // A pod created before its peer waits, then follows the peer when it is placed.
    await client.create(pod('follower', { app: 'follower' }, nextTo('db')));
    await eventually(
      async () => ((await getPod(client, 'follower')).status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'False'),
      'follower unschedulable',
      20_000,
    );
    await client.create(pod('db', { app: 'db' }));
    await eventually(async () => !!(await getPod(client, 'db')).spec?.nodeName, 'db bound', 20_000);
    // Well within podMaxUnschedulableMs (60 s): the bind of db itself moves the follower.
    await eventually(async () => !!(await getPod(client, 'follower')).spec?.nodeName, 'follower bound', 20_000);
    expect((await getPod(client, 'follower')).spec?.nodeName).toBe((await getPod(client, 'db')).spec?.nodeName);
  }, 120_000);

  it('leaves a pod whose required affinity selects no pod Pending, with FailedScheduling', async () => {
    const { client } = cluster;
    await eventually(async () => (await client.list('Node')).items.length === NODES.length, 'both nodes registered', 20_000);
    await client.create(pod('web', { app: 'web' }));
    await client.create(pod('orphan', { app: 'orphan' }, nextTo('no-such-app')));
    const message = "0/2 nodes are available: 2 node(s) didn't match pod affinity rules.";
    await eventually(
      async () => ((await getPod(client, 'orphan')).status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.message === message),
      'PodScheduled=False with the affinity message',
      20_000,
    );
    const events = async (): Promise<Event__Output[]> =>
      ((await client.list('Event', { namespace: 'default' })).items as Event__Output[]).filter(
        (e) => e.involvedObject?.name === 'orphan' && e.reason === 'FailedScheduling',
      );
    await eventually(async () => (await events()).length > 0, 'FailedScheduling event', 20_000);
    expect((await events())[0]).toMatchObject({ type: 'Warning', message, source: { component: 'default-scheduler' } });
    await eventually(async () => (await getPod(client, 'web')).status?.phase === 'Running', 'web running', 20_000);
    const orphan = await getPod(client, 'orphan');
    expect(orphan.spec?.nodeName ?? '').toBe('');
    expect(orphan.status?.phase).toBe('Pending');
    expect((orphan.status?.conditions ?? []).find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
  }, 120_000);
});
