// The scheduler and the node verbs against a real nats-server and API server. Nodes are
// plain Node objects written through the client (no node agents): a Ready condition and
// allocatable cpu/memory/pods in their status are all the scheduler looks at.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drain, cordon, uncordon } from '../cli/nodes.js';
import type { IO } from '../cli/commands.js';
import type { ShoalClient } from '../lib/client.js';
import { NotFoundError } from '../lib/errors.js';
import type { Event__Output } from '../lib/gen/shoal/v1/Event.js';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { KubeObject } from '../lib/kinds.js';
import { startScheduler, type SchedulerHandle } from '../services/scheduler/index.js';
import { eventually, startTestCluster, TEST_TOKEN, type TestCluster } from './harness.js';

interface NodeSpecArgs {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  unschedulable?: boolean;
}

async function createNode(client: ShoalClient, name: string, a: NodeSpecArgs = {}): Promise<void> {
  const spec: Record<string, unknown> = {};
  if (a.taints) spec.taints = a.taints;
  if (a.unschedulable) spec.unschedulable = true;
  const created = await client.create({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...a.labels } },
    spec,
  });
  const allocatable = { cpu: a.cpu ?? '4', memory: a.memory ?? '8Gi', pods: a.pods ?? '110' };
  await client.updateStatus({
    ...created,
    status: {
      capacity: allocatable,
      allocatable,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready' }],
    },
  });
}

interface PodArgs {
  requests?: Record<string, string>;
  labels?: Record<string, string>;
  owner?: string;
  tolerations?: { key: string; operator?: string; value?: string; effect?: string }[];
}

function pod(name: string, a: PodArgs = {}): KubeObject {
  const metadata: Record<string, unknown> = { name, namespace: 'default', labels: a.labels ?? { app: name } };
  if (a.owner) metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', uid: a.owner, controller: true }];
  const container: Record<string, unknown> = { name: 'main', image: 'busybox:1.36' };
  if (a.requests) container.resources = { requests: a.requests };
  const spec: Record<string, unknown> = { containers: [container] };
  if (a.tolerations) spec.tolerations = a.tolerations;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

async function getPod(client: ShoalClient, name: string): Promise<Pod__Output> {
  return (await client.get('Pod', 'default', name)) as Pod__Output;
}

function condition(p: Pod__Output, type: string) {
  return (p.status?.conditions ?? []).find((c) => c.type === type);
}

async function podEvents(client: ShoalClient, name: string): Promise<Event__Output[]> {
  const { items } = await client.list('Event', { namespace: 'default' });
  return (items as Event__Output[]).filter((e) => e.involvedObject?.name === name);
}

function captureIO(): IO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

let cluster: TestCluster;
let scheduler: SchedulerHandle | undefined;

async function runScheduler(): Promise<SchedulerHandle> {
  scheduler = await startScheduler({
    server: cluster.api.address,
    token: TEST_TOKEN,
    natsUrl: cluster.nats.url,
    metricsListen: '127.0.0.1:0',
    podInitialBackoffMs: 100,
    podMaxBackoffMs: 500,
    logger: { info: () => {}, warn: (m) => console.warn(m) },
  });
  await scheduler.ready;
  return scheduler;
}

function withCluster(): void {
  beforeEach(async () => {
    cluster = await startTestCluster();
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    await cluster.stop();
  });
}

describe('scheduler', () => {
  withCluster();

  it('binds a pod, sets PodScheduled=True and records a Scheduled event', async () => {
    const { client } = cluster;
    await createNode(client, 'n1');
    const s = await runScheduler();
    await client.create(pod('p'));
    await eventually(async () => (await getPod(client, 'p')).spec?.nodeName === 'n1', 'p bound to n1');
    await eventually(async () => condition(await getPod(client, 'p'), 'PodScheduled')?.status === 'True', 'PodScheduled=True');
    await eventually(async () => (await podEvents(client, 'p')).some((e) => e.reason === 'Scheduled'), 'Scheduled event');
    const ev = (await podEvents(client, 'p')).find((e) => e.reason === 'Scheduled')!;
    expect(ev).toMatchObject({
      type: 'Normal',
      message: 'Successfully assigned default/p to n1',
      source: { component: 'default-scheduler' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      count: 1,
    });
    const metrics = await (await fetch(`http://${s.metricsAddress}/metrics`)).text();
    expect(metrics).toMatch(/shoal_scheduler_schedule_attempts_total\{result="scheduled",service="scheduler"\} 1/);
    expect(metrics).toContain('shoal_scheduler_scheduling_duration_seconds_bucket');
    expect(metrics).toMatch(/shoal_scheduler_pending_pods\{queue="active",service="scheduler"\} 0/);
  });

  it('spreads 6 pods of one owner over 3 equal nodes 2/2/2', async () => {
    const { client } = cluster;
    for (const n of ['n1', 'n2', 'n3']) await createNode(client, n);
    await runScheduler();
    const owner = '4f1c9a52-0000-4000-8000-000000000001';
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => client.create(pod(`web-${i}`, { owner, labels: { app: 'web' }, requests: { cpu: '100m', memory: '64Mi' } }))),
    );
    let placement: Record<string, number> = {};
    await eventually(async () => {
      const { items } = await client.list('Pod', { namespace: 'default' });
      placement = {};
      for (const p of items as Pod__Output[]) if (p.spec?.nodeName) placement[p.spec.nodeName] = (placement[p.spec.nodeName] ?? 0) + 1;
      return Object.values(placement).reduce((a, b) => a + b, 0) === 6;
    }, 'six pods bound');
    expect(placement).toEqual({ n1: 2, n2: 2, n3: 2 });
  });

  it('leaves a pod Pending with the reasons per node for insufficient memory and taints', async () => {
    const { client } = cluster;
    await createNode(client, 'n1', { memory: '1Gi' });
    await createNode(client, 'n2', { memory: '1Gi' });
    await createNode(client, 'n3', { memory: '16Gi', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    await runScheduler();
    await client.create(pod('big', { requests: { memory: '2Gi' } }));
    const message = '0/3 nodes are available: 2 Insufficient memory, 1 node(s) had untolerated taint {dedicated: gpu}.';
    await eventually(async () => condition(await getPod(client, 'big'), 'PodScheduled')?.message === message, 'PodScheduled=False with the message');
    const p = await getPod(client, 'big');
    expect(p.spec?.nodeName ?? '').toBe('');
    expect(p.status?.phase).toBe('Pending');
    expect(condition(p, 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
    await eventually(async () => (await podEvents(client, 'big')).some((e) => e.reason === 'FailedScheduling'), 'FailedScheduling event');
    const ev = (await podEvents(client, 'big')).find((e) => e.reason === 'FailedScheduling')!;
    expect(ev).toMatchObject({ type: 'Warning', message, source: { component: 'default-scheduler' }, count: 1 });
    expect(ev.firstTimestamp).toBeTruthy();
    expect(ev.lastTimestamp).toBeTruthy();

    // A change that does not help: the pod is tried again, and the same event counts it.
    const n1 = (await client.get('Node', '', 'n1')) as Node__Output & KubeObject;
    await client.update({ ...n1, metadata: { ...n1.metadata, labels: { ...n1.metadata?.labels, zone: 'a' } } });
    await eventually(async () => (await podEvents(client, 'big')).some((e) => e.reason === 'FailedScheduling' && (e.count ?? 0) >= 2), 'count 2');
    expect((await podEvents(client, 'big')).filter((e) => e.reason === 'FailedScheduling')).toHaveLength(1);
  });

  it('reports an untolerated taint alone, and schedules a pod that tolerates it', async () => {
    const { client } = cluster;
    for (const n of ['n1', 'n2', 'n3']) await createNode(client, n, { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    await runScheduler();
    await client.create(pod('plain'));
    await client.create(pod('tolerant', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }));
    await eventually(async () => !!(await getPod(client, 'tolerant')).spec?.nodeName, 'tolerant bound');
    await eventually(
      async () => condition(await getPod(client, 'plain'), 'PodScheduled')?.message === '0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: gpu}.',
      'taint message',
    );
  });

  it('schedules an unschedulable pod once a node that fits appears', async () => {
    const { client } = cluster;
    await createNode(client, 'small', { cpu: '1' });
    await runScheduler();
    await client.create(pod('wants-4-cpus', { requests: { cpu: '4' } }));
    await eventually(
      async () => condition(await getPod(client, 'wants-4-cpus'), 'PodScheduled')?.message === '0/1 nodes are available: 1 Insufficient cpu.',
      'Insufficient cpu',
    );
    await createNode(client, 'big', { cpu: '8' });
    await eventually(async () => (await getPod(client, 'wants-4-cpus')).spec?.nodeName === 'big', 'bound to the new node', 15_000);
    await eventually(async () => condition(await getPod(client, 'wants-4-cpus'), 'PodScheduled')?.status === 'True', 'PodScheduled=True');
  });

  it('does not oversubscribe a node with pods scheduled back to back', async () => {
    const { client } = cluster;
    await createNode(client, 'n1', { cpu: '1', pods: '110' });
    await runScheduler();
    await Promise.all(Array.from({ length: 5 }, (_, i) => client.create(pod(`half-${i}`, { requests: { cpu: '500m' } }))));
    await eventually(async () => {
      const { items } = await client.list('Pod', { namespace: 'default' });
      const bound = (items as Pod__Output[]).filter((p) => p.spec?.nodeName).length;
      const unsched = (items as Pod__Output[]).filter((p) => condition(p, 'PodScheduled')?.status === 'False').length;
      return bound === 2 && unsched === 3;
    }, 'two bound, three unschedulable');
  });
});

describe('cordon, uncordon and drain', () => {
  withCluster();

  it('cordons and uncordons a node; the scheduler avoids a cordoned node', async () => {
    const { client } = cluster;
    await createNode(client, 'n1');
    await createNode(client, 'n2');
    await runScheduler();
    const io = captureIO();
    expect(await cordon(client, { node: 'n1' }, io)).toBe(0);
    expect(await cordon(client, { node: 'n1' }, io)).toBe(0);
    expect(io.stdout).toEqual(['node/n1 cordoned', 'node/n1 already cordoned']);
    expect(((await client.get('Node', '', 'n1')) as Node__Output).spec?.unschedulable).toBe(true);
    for (let i = 0; i < 4; i++) await client.create(pod(`p${i}`));
    await eventually(async () => {
      const { items } = await client.list('Pod', { namespace: 'default' });
      return (items as Pod__Output[]).every((p) => p.spec?.nodeName === 'n2');
    }, 'every pod on n2');
    expect(await uncordon(client, { node: 'n1' }, io)).toBe(0);
    expect(await uncordon(client, { node: 'n1' }, io)).toBe(0);
    expect(io.stdout.slice(2)).toEqual(['node/n1 uncordoned', 'node/n1 already uncordoned']);
    expect(((await client.get('Node', '', 'n1')) as Node__Output).spec?.unschedulable ?? false).toBe(false);

    const missing = captureIO();
    expect(await cordon(client, { node: 'nope' }, missing)).toBe(1);
    expect(missing.stderr.join('\n')).toMatch(/^Error from server \(NotFound\): .*nope.* not found/);
  });

  it('drains a node: refuses bare pods without --force, deletes and waits with it', async () => {
    const { client } = cluster;
    await createNode(client, 'n1');
    await runScheduler();
    await client.create(pod('managed', { owner: '4f1c9a52-0000-4000-8000-000000000002' }));
    await client.create(pod('bare'));
    await eventually(async () => {
      const { items } = await client.list('Pod', { fieldSelector: 'spec.nodeName=n1' });
      return items.length === 2;
    }, 'both pods on n1');

    const refused = captureIO();
    expect(await drain(client, { node: 'n1', gracePeriod: 0, timeoutSeconds: 10 }, refused)).toBe(1);
    expect(refused.stdout).toEqual(['node/n1 cordoned']);
    expect(refused.stderr[0]).toBe(
      'error: unable to drain node "n1" due to error: cannot delete Pods that declare no controller (use --force to override): default/bare, continuing command...',
    );
    expect((await client.list('Pod', { fieldSelector: 'spec.nodeName=n1' })).items).toHaveLength(2);

    const io = captureIO();
    expect(await drain(client, { node: 'n1', force: true, gracePeriod: 0, timeoutSeconds: 10 }, io)).toBe(0);
    expect(io.stdout[0]).toBe('node/n1 already cordoned');
    expect(io.stdout).toContain('evicting pod default/managed');
    expect(io.stdout).toContain('evicting pod default/bare');
    expect(io.stdout).toContain('pod/managed evicted');
    expect(io.stdout).toContain('pod/bare evicted');
    expect(io.stdout.at(-1)).toBe('node/n1 drained');
    expect(io.stderr).toEqual(['Warning: deleting Pods that declare no controller: default/bare']);
    expect((await client.list('Pod', { fieldSelector: 'spec.nodeName=n1' })).items).toHaveLength(0);
  });

  it('gives up waiting after the timeout when a pod does not go away', async () => {
    const { client } = cluster;
    await createNode(client, 'n1');
    await runScheduler();
    await client.create(pod('slow', { owner: '4f1c9a52-0000-4000-8000-000000000003' }));
    await eventually(async () => (await getPod(client, 'slow')).spec?.nodeName === 'n1', 'slow bound');
    // No node agent runs here: a graceful delete leaves the pod Terminating.
    const io = captureIO();
    expect(await drain(client, { node: 'n1', timeoutSeconds: 1 }, io)).toBe(1);
    expect(io.stdout).toEqual(['node/n1 cordoned', 'evicting pod default/slow']);
    expect(io.stderr[0]).toContain('error when waiting for pod "slow" in namespace "default" to terminate: global timeout reached: 1s');
    expect((await getPod(client, 'slow')).metadata?.deletionTimestamp).toBeTruthy();
  });
});

// ---- drain's filters, against a fake client ----

function fakeNodesClient(pods: KubeObject[]) {
  const deleted: string[] = [];
  const nodeObj: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', resourceVersion: '1' }, spec: {} };
  const client = {
    get: (kind: string, _ns: string, name: string) => {
      if (kind === 'Node') return Promise.resolve(structuredClone(nodeObj));
      const p = pods.find((x) => x.metadata?.name === name && !deleted.includes(name));
      return p ? Promise.resolve(p) : Promise.reject(new NotFoundError(`pods "${name}" not found`));
    },
    list: () => Promise.resolve({ items: pods, resourceVersion: '1' }),
    update: (obj: KubeObject) => {
      Object.assign(nodeObj, structuredClone(obj));
      return Promise.resolve(obj);
    },
    delete: (_kind: string, _ns: string, name: string) => {
      deleted.push(name);
      return Promise.resolve({ object: pods.find((x) => x.metadata?.name === name)!, deleted: true });
    },
    // Every delete here is immediate, so drain has nothing to wait for (test/drain.test.ts
    // covers the wait).
    watch: (): never => {
      throw new Error('drain watched although every pod was already gone');
    },
  };
  return { client, deleted };
}

function onNode(name: string, extra: { owner?: string; kind?: string; emptyDir?: boolean; phase?: string; mirror?: boolean } = {}): KubeObject {
  const p = pod(name, extra.owner ? { owner: extra.owner } : {});
  p.metadata = { ...p.metadata, uid: `uid-${name}` };
  if (extra.kind) p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: extra.kind, name: 'x', uid: 'u', controller: true }];
  if (extra.mirror) p.metadata.annotations = { 'kubernetes.io/config.mirror': 'hash' };
  const spec = p.spec as Record<string, unknown>;
  spec.nodeName = 'n1';
  if (extra.emptyDir) spec.volumes = [{ name: 'scratch', emptyDir: {} }];
  if (extra.phase) p.status = { phase: extra.phase };
  return p;
}

describe('drain filters', () => {
  it('refuses DaemonSet pods without --ignore-daemonsets and skips them with it', async () => {
    const pods = [onNode('ds-pod', { kind: 'DaemonSet' }), onNode('web', { owner: 'rs' })];
    const a = fakeNodesClient(pods);
    const io1 = captureIO();
    expect(await drain(a.client, { node: 'n1' }, io1)).toBe(1);
    expect(io1.stderr[0]).toContain('cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/ds-pod');
    expect(a.deleted).toEqual([]);
    const b = fakeNodesClient(pods);
    const io2 = captureIO();
    expect(await drain(b.client, { node: 'n1', ignoreDaemonsets: true }, io2)).toBe(0);
    expect(b.deleted).toEqual(['web']);
    expect(io2.stderr).toEqual(['Warning: ignoring DaemonSet-managed Pods: default/ds-pod']);
  });

  it('refuses pods with emptyDir data unless told, deletes finished bare pods, leaves mirror pods', async () => {
    const pods = [onNode('scratchy', { owner: 'rs', emptyDir: true }), onNode('done', { phase: 'Succeeded' }), onNode('static', { mirror: true })];
    const a = fakeNodesClient(pods);
    const io1 = captureIO();
    expect(await drain(a.client, { node: 'n1' }, io1)).toBe(1);
    expect(io1.stderr[0]).toContain('cannot delete Pods with local storage (use --delete-emptydir-data to override): default/scratchy');
    const b = fakeNodesClient(pods);
    const io2 = captureIO();
    expect(await drain(b.client, { node: 'n1', deleteEmptyDirData: true }, io2)).toBe(0);
    expect(b.deleted.sort()).toEqual(['done', 'scratchy']);
    expect(io2.stdout).toEqual([
      'node/n1 cordoned',
      'evicting pod default/scratchy',
      'evicting pod default/done',
      'pod/scratchy evicted',
      'pod/done evicted',
      'node/n1 drained',
    ]);
  });
});
