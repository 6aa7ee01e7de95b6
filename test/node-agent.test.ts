// The node agent against a real API server and nats-server, running real containers: the
// same scenarios with the process driver and (when dockerd answers and the driver exists)
// the docker driver.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShoalClient } from '../lib/client.js';
import { NotFoundError } from '../lib/errors.js';
import type { ExecOutput__Output } from '../lib/gen/shoal/v1/ExecOutput.js';
import type { Event__Output } from '../lib/gen/shoal/v1/Event.js';
import type { ExecInput } from '../lib/gen/shoal/v1/ExecInput.js';
import type { LogChunk__Output } from '../lib/gen/shoal/v1/LogChunk.js';
import type { LogsRequest } from '../lib/gen/shoal/v1/LogsRequest.js';
import type { Lease__Output } from '../lib/gen/shoal/v1/Lease.js';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { ResourcesClient } from '../lib/gen/shoal/v1/Resources.js';
import type { KubeObject } from '../lib/kinds.js';
import { NodeAgentClientConstructor, grpcPackage } from '../lib/proto.js';
import type { ContainerDriver } from '../services/node-agent/driver.js';
import { createDriver, type DriverName } from '../services/node-agent/drivers/index.js';
import { startNodeAgent, type NodeAgentConfig, type NodeAgentHandle } from '../services/node-agent/index.js';
import { TEST_TOKEN, eventually, freePort, startTestCluster, tempDir, type TestCluster } from './harness.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const IMAGE = 'shoal/busybox:1.36';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Both drivers, always: the test command starts dockerd, and a machine without one must
 * fail these tests rather than skip them. */
const DRIVERS: DriverName[] = ['process', 'docker'];

interface Env {
  cluster: TestCluster;
  client: ShoalClient;
  dir: string;
  cleanup: () => Promise<void>;
  driverName: DriverName;
  raw: ResourcesClient;
  agents: { agent: NodeAgentHandle; driver: ContainerDriver }[];
}

function newDriver(env: Env, nodeName: string): ContainerDriver {
  return createDriver(env.driverName, {
    node: nodeName,
    dataDir: join(env.dir, nodeName, 'agent'),
    ipamDir: join(env.dir, 'ipam'),
    internalIP: '127.0.0.1',
  });
}

async function startAgent(env: Env, nodeName: string, extra: Partial<NodeAgentConfig> = {}): Promise<{ agent: NodeAgentHandle; driver: ContainerDriver }> {
  const driver = extra.driver ?? newDriver(env, nodeName);
  const agent = await startNodeAgent({
    nodeName,
    server: env.cluster.api.address,
    token: TEST_TOKEN,
    natsUrl: env.cluster.nats.url,
    driver,
    dataDir: join(env.dir, nodeName, 'agent'),
    leaseIntervalMs: 300,
    backoff: { initialMs: 200, maxMs: 3_000, resetAfterMs: 60_000 },
    logger: quiet,
    ...extra,
  });
  await agent.ready;
  const a = { agent, driver };
  env.agents.push(a);
  return a;
}

/** Stops every agent and removes every container it left (agents leave them running). */
async function stopAll(env: Env): Promise<void> {
  for (const { agent, driver } of env.agents) {
    await agent.stop();
    const handles = await driver.recover().catch(() => []);
    await Promise.all(
      handles.map(async (h) => {
        if (h.role === 'sandbox') return;
        await driver.stopContainer(h.id, 0).catch(() => {});
        await driver.removeContainer(h.id).catch(() => {});
      }),
    );
    const uids = new Set(handles.map((h) => h.pod.uid));
    for (const h of handles) if (uids.delete(h.pod.uid)) await driver.removeSandbox(h.pod).catch(() => {});
    await driver.close();
  }
  env.agents.length = 0;
}

function pod(name: string, node: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: node, ...spec } };
}

function container(name: string, script: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: IMAGE, command: ['sh', '-c', script], ...extra };
}

async function getPod(client: ShoalClient, name: string): Promise<Pod__Output | undefined> {
  try {
    return (await client.get('Pod', 'default', name)) as Pod__Output;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** Waits on a watch, so every state the pod passes through is checked (a poll can miss a
 * short-lived one, such as ErrImagePull before ImagePullBackOff). */
async function waitPod(client: ShoalClient, name: string, what: string, check: (p: Pod__Output) => boolean, timeoutMs = 20_000): Promise<Pod__Output> {
  let last = await getPod(client, name);
  if (last && check(last)) return last;
  const signal = AbortSignal.timeout(timeoutMs);
  const from = last?.metadata?.resourceVersion ?? (await client.list('Pod', { namespace: 'default', limit: 1 })).resourceVersion;
  for await (const ev of client.watch('Pod', { namespace: 'default', fieldSelector: `metadata.name=${name}`, resourceVersion: from, signal })) {
    if (ev.type === 'BOOKMARK') continue;
    last = ev.type === 'DELETED' ? undefined : (ev.object as Pod__Output);
    if (last && check(last)) return last;
  }
  throw new Error(`timed out waiting for ${name}: ${what}; last status: ${JSON.stringify(last?.status)}`);
}

const running = (p: Pod__Output): boolean => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.state?.running);
const condition = (p: Pod__Output, type: string): string | undefined => p.status?.conditions?.find((c) => c.type === type)?.status;

/** MODIFIED events of the matching objects within `ms`. */
async function countWrites(client: ShoalClient, kind: string, fieldSelector: string, ms: number): Promise<number> {
  const { resourceVersion } = await client.list(kind, { fieldSelector });
  let n = 0;
  for await (const ev of client.watch(kind, { fieldSelector, resourceVersion, signal: AbortSignal.timeout(ms) })) if (ev.type === 'MODIFIED') n++;
  return n;
}

interface PodEvent {
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
}

/** The Events about one pod. */
async function podEvents(client: ShoalClient, p: Pod__Output): Promise<PodEvent[]> {
  const { items } = await client.list('Event', { namespace: 'default' });
  return items.filter((e) => (e.involvedObject as { uid?: string } | undefined)?.uid === p.metadata?.uid) as PodEvent[];
}

function authMetadata(): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${TEST_TOKEN}`);
  return md;
}

/** `shoal logs` through the API server's relay. */
async function relayLogs(raw: ResourcesClient, req: LogsRequest): Promise<string> {
  const call = raw.Logs({ namespace: 'default', ...req }, authMetadata());
  let out = '';
  for await (const chunk of call as AsyncIterable<LogChunk__Output>) out += Buffer.from(chunk.data ?? '', 'base64').toString('utf8');
  return out;
}

/** `shoal exec` through the API server's relay. */
async function relayExec(raw: ResourcesClient, podName: string, command: string[], opts: { container?: string; stdin?: string } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  const call = raw.Exec(authMetadata());
  const start: ExecInput = { start: { namespace: 'default', pod: podName, container: opts.container ?? '', command, stdin: opts.stdin !== undefined } };
  call.write(start);
  if (opts.stdin !== undefined) {
    call.write({ stdin: Buffer.from(opts.stdin) });
    call.write({ stdin_eof: true });
  }
  let stdout = '';
  let stderr = '';
  let code = -1;
  for await (const msg of call as AsyncIterable<ExecOutput__Output>) {
    if (msg.stdout !== undefined) stdout += Buffer.from(msg.stdout, 'base64').toString('utf8');
    if (msg.stderr !== undefined) stderr += Buffer.from(msg.stderr, 'base64').toString('utf8');
    if (msg.exit_code !== undefined) {
      code = msg.exit_code;
      call.end();
    }
  }
  return { stdout, stderr, code };
}

describe.each(DRIVERS)('node agent with the %s driver', (driverName) => {
  const env = { driverName, agents: [] } as unknown as Env;
  const NODE = `node-${driverName}`;

  beforeAll(async () => {
    env.cluster = await startTestCluster();
    env.client = env.cluster.client;
    const t = await tempDir('shoal-agent-');
    env.dir = t.dir;
    env.cleanup = t.cleanup;
    env.raw = new grpcPackage.shoal.v1.Resources(env.cluster.api.address, grpc.credentials.createInsecure());
    await startAgent(env, NODE, { volumeRefreshMs: 500 });
  });

  afterAll(async () => {
    env.raw?.close();
    await stopAll(env);
    await env.cluster?.stop();
    await env.cleanup?.();
  });

  it('registers its node and renews its lease', async () => {
    const node = (await env.client.get('Node', '', NODE)) as Node__Output;
    expect(node.metadata?.labels?.['kubernetes.io/hostname']).toBe(NODE);
    expect(node.status?.capacity?.cpu).toBeTruthy();
    expect(node.status?.allocatable?.memory).toBeTruthy();
    expect(node.status?.capacity?.pods).toBe('110');
    expect(node.status?.addresses).toEqual(
      expect.arrayContaining([
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: NODE },
      ]),
    );
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(ready?.lastHeartbeatTime).toBeTruthy();
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBeGreaterThan(0);
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(new RegExp(`^${driverName}://`));

    const lease1 = (await env.client.get('Lease', 'shoal-system', NODE)) as Lease__Output;
    expect(lease1.spec).toMatchObject({ holderIdentity: NODE, leaseDurationSeconds: 40 });
    let lease2 = lease1;
    await eventually(async () => {
      lease2 = (await env.client.get('Lease', 'shoal-system', NODE)) as Lease__Output;
      return lease2.spec?.renewTime !== lease1.spec?.renewTime;
    }, 'the lease to be renewed', 5_000);
    expect(Date.parse(lease2.spec!.renewTime!)).toBeGreaterThan(Date.parse(lease1.spec!.renewTime!));

    // The Node's status is checked every lease interval but written only when it changed (or
    // once a minute): four intervals bring no write.
    expect(await countWrites(env.client, 'Node', `metadata.name=${NODE}`, 1_300)).toBe(0);
  });

  it('runs a pod to Running with its IP, conditions and container status', async () => {
    await env.client.create(
      pod('simple', NODE, {
        containers: [
          container('main', 'echo hello from $POD_NAME; for i in 1 2 3 4 5; do echo line$i; done; sleep 3600', {
            env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          }),
        ],
      }),
    );
    const p = await waitPod(env.client, 'simple', 'Running and Ready', (x) => running(x) && condition(x, 'Ready') === 'True');
    expect(p.status?.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(p.status?.podIPs).toEqual([{ ip: p.status?.podIP }]);
    expect(p.status?.hostIP).toBe('127.0.0.1');
    expect(p.status?.startTime).toBeTruthy();
    for (const type of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) expect(condition(p, type)).toBe('True');
    // Nothing changes, so nothing is written.
    expect(await countWrites(env.client, 'Pod', 'metadata.name=simple', 1_000)).toBe(0);
    const cs = p.status!.containerStatuses![0]!;
    expect(cs).toMatchObject({ name: 'main', ready: true, started: true, restartCount: 0, image: IMAGE });
    expect(cs.containerID).toMatch(new RegExp(`^${driverName}://.+`));
    expect(cs.state?.running?.startedAt).toBeTruthy();

    // Logs through the API server's relay to this agent.
    await eventually(async () => (await relayLogs(env.raw, { pod: 'simple' })).includes('line5'), 'the pod log', 5_000);
    expect(await relayLogs(env.raw, { pod: 'simple' })).toBe('hello from simple\nline1\nline2\nline3\nline4\nline5\n');
    expect(await relayLogs(env.raw, { pod: 'simple', tail_lines: 2 })).toBe('line4\nline5\n');
    // Exec with stdin, and an exit code.
    expect(await relayExec(env.raw, 'simple', ['cat'], { stdin: 'through stdin' })).toMatchObject({ code: 0, stdout: 'through stdin' });
    expect(await relayExec(env.raw, 'simple', ['sh', '-c', 'echo oops >&2; exit 7'])).toMatchObject({ code: 7, stderr: 'oops\n' });
    await env.client.delete('Pod', 'default', 'simple', { gracePeriodSeconds: 1 });
    await eventually(async () => !(await getPod(env.client, 'simple')), 'the pod to be deleted', 40_000);
  });

  it('runs two containers that share localhost and an emptyDir', async () => {
    const port = await freePort();
    const created = (await env.client.create(
      pod('pair', NODE, {
        volumes: [{ name: 'shared', emptyDir: {} }],
        containers: [
          container('server', `cd shared && echo hello-from-server > index.html && exec busybox httpd -f -p 127.0.0.1:${port} -h .`, {
            volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
          }),
          container(
            'client',
            `i=0; while [ $i -lt 200 ]; do busybox wget -q -O shared/fetched.tmp http://127.0.0.1:${port}/index.html && mv shared/fetched.tmp shared/fetched && break; i=$((i+1)); sleep 0.1; done; exec sleep 3600`,
            { volumeMounts: [{ name: 'shared', mountPath: '/shared' }] },
          ),
        ],
      }),
    )) as Pod__Output;
    await waitPod(env.client, 'pair', 'Running', running);
    const file = join(env.dir, NODE, 'agent', 'pods', created.metadata!.uid!, 'volumes', 'shared', 'fetched');
    await eventually(async () => (await readFile(file, 'utf8').catch(() => '')).includes('hello-from-server'), 'the client to fetch from the server', 15_000);
    // And the other container sees the same file through exec.
    const r = await relayExec(env.raw, 'pair', ['cat', 'shared/fetched'], { container: 'server' });
    expect(r).toMatchObject({ code: 0, stdout: 'hello-from-server\n' });
    await env.client.delete('Pod', 'default', 'pair', { gracePeriodSeconds: 1 });
    await eventually(async () => !(await getPod(env.client, 'pair')), 'the pod to be deleted', 20_000);
    await expect(readFile(file, 'utf8')).rejects.toThrow();
  });

  it('backs off a crash loop: CrashLoopBackOff, restartCount and growing gaps', async () => {
    const created = (await env.client.create(pod('crash', NODE, { terminationGracePeriodSeconds: 1, containers: [container('main', 'echo crashing; exit 3')] }))) as Pod__Output;
    const restarts: number[] = [];
    let sawBackoff = false;
    let last: Pod__Output | undefined;
    const signal = AbortSignal.timeout(20_000);
    for await (const ev of env.client.watch('Pod', { namespace: 'default', fieldSelector: 'metadata.name=crash', resourceVersion: created.metadata!.resourceVersion!, signal })) {
      if (ev.type === 'BOOKMARK') continue;
      last = ev.object as Pod__Output;
      const cs = last.status?.containerStatuses?.[0];
      if (!cs) continue;
      while ((cs.restartCount ?? 0) > restarts.length) restarts.push(Date.now());
      // While it backs off, the pod is Running (restartPolicy Always) but not Ready.
      if (cs.state?.waiting?.reason === 'CrashLoopBackOff' && last.status?.phase === 'Running' && condition(last, 'Ready') === 'False') sawBackoff = true;
      if (restarts.length >= 4) break;
    }
    expect(restarts.length, JSON.stringify(last?.status)).toBeGreaterThanOrEqual(4);
    expect(sawBackoff).toBe(true);
    const cs = last!.status!.containerStatuses![0]!;
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    // Restarts after 200, 400, 800, 1600 ms: each gap clearly longer than the one before.
    const gaps = restarts.slice(1).map((t, i) => t - restarts[i]!);
    expect(gaps[0]!).toBeGreaterThanOrEqual(300);
    // (Margins for a loaded machine: each gap is the delay plus the time a start takes.)
    expect(gaps[1]!).toBeGreaterThan(gaps[0]! * 1.2);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]! * 1.2);
    // As the kubelet: Started and BackOff events, aggregated with a count.
    await eventually(
      async () => {
        const events = (await env.client.list('Event', { namespace: 'default' })).items.filter(
          (e) => (e.involvedObject as { uid?: string } | undefined)?.uid === created.metadata!.uid,
        );
        const by = (reason: string) => events.find((e) => e.reason === reason) as { count?: number; type?: string; source?: { host?: string } } | undefined;
        return (by('BackOff')?.count ?? 0) >= 2 && by('BackOff')?.type === 'Warning' && (by('Started')?.count ?? 0) >= 3 && by('Started')?.source?.host === NODE;
      },
      'Started and BackOff events',
      5_000,
    );
    await env.client.delete('Pod', 'default', 'crash', { gracePeriodSeconds: 1 });
    await eventually(async () => !(await getPod(env.client, 'crash')), 'the pod to be deleted', 20_000);
  });

  it('restarts a container whose liveness probe fails, and keeps the previous instance for logs', async () => {
    await env.client.create(
      pod('live', NODE, {
        terminationGracePeriodSeconds: 1,
        containers: [
          container('main', 'echo started; touch healthy; sleep 2; rm healthy; exec sleep 3600', {
            livenessProbe: { exec: { command: ['cat', 'healthy'] }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 1 },
          }),
        ],
      }),
    );
    const p = await waitPod(env.client, 'live', 'a restart after the liveness failure', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 30_000);
    const cs = p.status!.containerStatuses![0]!;
    expect(cs.lastState?.terminated?.exitCode).toBeGreaterThan(128);
    expect(cs.lastState?.terminated?.containerID).not.toBe(cs.containerID);
    expect(await relayLogs(env.raw, { pod: 'live', previous: true })).toContain('started');
    await env.client.delete('Pod', 'default', 'live', { gracePeriodSeconds: 1 });
    await eventually(async () => !(await getPod(env.client, 'live')), 'the pod to be deleted', 20_000);
  });

  it('flips Ready with the readiness probe', async () => {
    const port = await freePort();
    await env.client.create(
      pod('ready', NODE, {
        terminationGracePeriodSeconds: 1,
        containers: [
          container('web', `mkdir -p www && exec busybox httpd -f -p ${port} -h www`, {
            ports: [{ name: 'http', containerPort: port }],
            readinessProbe: { httpGet: { path: '/ready', port: { strVal: 'http' } }, periodSeconds: 1, failureThreshold: 1 },
          }),
        ],
      }),
    );
    let p = await waitPod(env.client, 'ready', 'Running', running);
    expect(condition(p, 'Ready')).toBe('False');
    expect(p.status?.containerStatuses?.[0]?.ready).toBe(false);
    expect(await relayExec(env.raw, 'ready', ['touch', 'www/ready'])).toMatchObject({ code: 0 });
    p = await waitPod(env.client, 'ready', 'Ready', (x) => condition(x, 'Ready') === 'True');
    expect(condition(p, 'ContainersReady')).toBe('True');
    expect(p.status?.containerStatuses?.[0]?.ready).toBe(true);
    expect(await relayExec(env.raw, 'ready', ['rm', 'www/ready'])).toMatchObject({ code: 0 });
    p = await waitPod(env.client, 'ready', 'not Ready again', (x) => condition(x, 'Ready') === 'False');
    expect(p.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    await env.client.delete('Pod', 'default', 'ready', { gracePeriodSeconds: 1 });
    await eventually(async () => !(await getPod(env.client, 'ready')), 'the pod to be deleted', 20_000);
  });

  it('stops a container that traps SIGTERM at once and kills one that ignores it when the grace period ends', async () => {
    const loop = 'echo started; while true; do sleep 0.1; done';
    await env.client.create(pod('trap', NODE, { terminationGracePeriodSeconds: 4, containers: [container('main', `trap 'echo got TERM; exit 0' TERM; ${loop}`)] }));
    await env.client.create(pod('ignore', NODE, { terminationGracePeriodSeconds: 4, containers: [container('main', `trap '' TERM; ${loop}`)] }));
    for (const name of ['trap', 'ignore']) {
      await waitPod(env.client, name, 'Running', running);
      await eventually(async () => (await relayLogs(env.raw, { pod: name })).includes('started'), `${name} to start`, 5_000);
    }
    const t0 = Date.now();
    await env.client.delete('Pod', 'default', 'trap');
    await env.client.delete('Pod', 'default', 'ignore');
    const gone: Record<string, number> = {};
    await eventually(
      async () => {
        for (const name of ['trap', 'ignore']) if (!gone[name] && !(await getPod(env.client, name))) gone[name] = Date.now() - t0;
        return Object.keys(gone).length === 2;
      },
      'both pods to be deleted',
      15_000,
    );
    expect(gone.trap!).toBeLessThan(3_000);
    expect(gone.ignore!).toBeGreaterThanOrEqual(3_800);
    expect(gone.ignore!).toBeLessThan(10_000);
  });

  it('cuts a graceful deletion short when the pod is deleted again with a shorter grace period', async () => {
    await env.client.create(pod('slow', NODE, { terminationGracePeriodSeconds: 30, containers: [container('main', "trap '' TERM; echo started; while true; do sleep 0.1; done")] }));
    await waitPod(env.client, 'slow', 'Running', running);
    await eventually(async () => (await relayLogs(env.raw, { pod: 'slow' })).includes('started'), 'the trap to be set', 5_000);
    await env.client.delete('Pod', 'default', 'slow');
    await new Promise((r) => setTimeout(r, 500));
    expect(await getPod(env.client, 'slow')).toBeDefined();
    const t0 = Date.now();
    await env.client.delete('Pod', 'default', 'slow', { gracePeriodSeconds: 1 });
    await eventually(async () => !(await getPod(env.client, 'slow')), 'the pod to be deleted', 10_000);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('starts other pods while pods wait out their grace period, with a single worker', async () => {
    // Terminations run in the background: two pods that ignore SIGTERM with a 20 s grace do
    // not hold the agent's only worker, and still go when their grace period ends.
    const { agent } = await startAgent(env, `one-worker-${driverName}`, { workers: 1 });
    const node = agent.nodeName;
    const ignore = { terminationGracePeriodSeconds: 20, containers: [container('main', "trap '' TERM; echo started; while true; do sleep 0.1; done")] };
    for (const name of ['linger-a', 'linger-b']) await env.client.create(pod(name, node, ignore));
    for (const name of ['linger-a', 'linger-b']) {
      await waitPod(env.client, name, 'Running', running);
      await eventually(async () => (await relayLogs(env.raw, { pod: name })).includes('started'), `${name} to set its trap`, 5_000);
    }
    const t0 = Date.now();
    await env.client.delete('Pod', 'default', 'linger-a');
    await env.client.delete('Pod', 'default', 'linger-b');
    await new Promise((r) => setTimeout(r, 300));
    await env.client.create(pod('prompt', node, { terminationGracePeriodSeconds: 1, containers: [container('main', 'exec sleep 3600')] }));
    await waitPod(env.client, 'prompt', 'Running', running, 5_000);
    expect(Date.now() - t0).toBeLessThan(8_000);
    for (const name of ['linger-a', 'linger-b']) expect((await getPod(env.client, name))?.metadata?.deletionTimestamp).toBeTruthy();
    await eventually(async () => !(await getPod(env.client, 'linger-a')) && !(await getPod(env.client, 'linger-b')), 'the lingering pods to be deleted', 30_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(19_000);
    await env.client.delete('Pod', 'default', 'prompt', { gracePeriodSeconds: 1 });
    await eventually(async () => !(await getPod(env.client, 'prompt')), 'the pod to be deleted', 20_000);
  });

  // A container that ignores SIGTERM takes its whole grace period to stop. Stopping it for a
  // failed liveness probe or an exceeded activeDeadlineSeconds runs in the background, as a
  // deletion does: the agent's only worker goes on starting other pods meanwhile.
  const GRACE = 10;
  const stubborn = "trap '' TERM; touch healthy; echo started; while true; do sleep 0.1; done";

  it('restarts a container that fails its liveness probe without holding the only worker for its grace period', async () => {
    const { agent, driver } = await startAgent(env, `bg-live-${driverName}`, { workers: 1 });
    const node = agent.nodeName;
    const created = (await env.client.create(
      pod('sick', node, {
        // The probe's own grace period wins over the pod's.
        terminationGracePeriodSeconds: 1,
        containers: [
          container('main', stubborn, {
            livenessProbe: { exec: { command: ['cat', 'healthy'] }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 1, terminationGracePeriodSeconds: GRACE },
          }),
        ],
      }),
    )) as Pod__Output;
    const before = await waitPod(env.client, 'sick', 'Running', running);
    await eventually(async () => (await relayLogs(env.raw, { pod: 'sick' })).includes('started'), 'sick to set its trap', 5_000);
    const t0 = Date.now();
    expect(await relayExec(env.raw, 'sick', ['rm', 'healthy'])).toMatchObject({ code: 0 });
    await eventually(async () => (await podEvents(env.client, created)).some((e) => e.reason === 'Killing'), 'the liveness kill to begin', 10_000);
    const t1 = Date.now();
    await env.client.create(pod('meanwhile-live', node, { terminationGracePeriodSeconds: 1, containers: [container('main', 'exec sleep 3600')] }));
    await waitPod(env.client, 'meanwhile-live', 'Running', running, 8_000);
    expect(Date.now() - t1).toBeLessThan(5_000);
    // Meanwhile the old instance still runs (it ignores SIGTERM): nothing restarted it yet.
    expect((await getPod(env.client, 'sick'))?.status?.containerStatuses?.[0]?.restartCount).toBe(0);

    const after = await waitPod(env.client, 'sick', 'restarted and running', (x) => running(x) && (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 30_000);
    // The grace period was honoured: SIGKILL only when it ended.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(GRACE * 1000 - 500);
    const cs = after.status!.containerStatuses![0]!;
    expect(cs.restartCount).toBe(1);
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 137, containerID: before.status!.containerStatuses![0]!.containerID });
    expect(cs.containerID).not.toBe(cs.lastState?.terminated?.containerID);
    // The new instance started only once the old one was gone.
    expect(Date.parse(cs.state!.running!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(cs.lastState!.terminated!.finishedAt!));
    const old = await driver.inspect(cs.lastState!.terminated!.containerID!.replace(/^\w+:\/\//, ''));
    expect(old?.status.state).toBe('exited');
    const events = await podEvents(env.client, created);
    expect(events.find((e) => e.reason === 'Unhealthy')).toMatchObject({ type: 'Warning' });
    // One kill, once: no second stop of the same instance.
    const killing = events.filter((e) => e.reason === 'Killing');
    expect(killing).toHaveLength(1);
    expect(killing[0]?.count).toBe(1);
    expect(killing[0]?.message).toMatch(/^Container main failed liveness probe, will be restarted/);
    for (const name of ['sick', 'meanwhile-live']) await env.client.delete('Pod', 'default', name, { gracePeriodSeconds: 1 });
    for (const name of ['sick', 'meanwhile-live']) await eventually(async () => !(await getPod(env.client, name)), `${name} to be deleted`, 20_000);
  });

  it('fails a pod past its activeDeadlineSeconds without holding the only worker for its grace period', async () => {
    const { agent } = await startAgent(env, `bg-deadline-${driverName}`, { workers: 1 });
    const node = agent.nodeName;
    const created = (await env.client.create(
      pod('overdue', node, { activeDeadlineSeconds: 2, terminationGracePeriodSeconds: GRACE, containers: [container('main', stubborn)] }),
    )) as Pod__Output;
    const before = await waitPod(env.client, 'overdue', 'Running', running);
    await eventually(async () => (await relayLogs(env.raw, { pod: 'overdue' })).includes('started'), 'overdue to set its trap', 5_000);
    await eventually(async () => (await podEvents(env.client, created)).some((e) => e.reason === 'Killing'), 'the deadline to stop the pod', 10_000);
    const t1 = Date.now();
    await env.client.create(pod('meanwhile-deadline', node, { terminationGracePeriodSeconds: 1, containers: [container('main', 'exec sleep 3600')] }));
    await waitPod(env.client, 'meanwhile-deadline', 'Running', running, 8_000);
    expect(Date.now() - t1).toBeLessThan(5_000);
    expect((await getPod(env.client, 'overdue'))?.status?.phase).toBe('Running');

    const p = await waitPod(env.client, 'overdue', 'Failed', (x) => x.status?.phase === 'Failed', 30_000);
    // Stopped when the deadline passed, and killed only when the grace period ended.
    expect(Date.now() - Date.parse(before.status!.startTime!)).toBeGreaterThanOrEqual((2 + GRACE) * 1000 - 500);
    expect(p.status).toMatchObject({ reason: 'DeadlineExceeded' });
    expect(p.status?.containerStatuses?.[0]).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 137 } } });
    const events = await podEvents(env.client, created);
    expect(events.filter((e) => e.reason === 'Killing').map((e) => [e.message, e.count])).toEqual([['Stopping container main', 1]]);
    expect(events.find((e) => e.reason === 'DeadlineExceeded')).toMatchObject({ type: 'Normal', message: 'Pod was active on the node longer than the specified deadline' });
    // Ended: nothing starts it again.
    await new Promise((r) => setTimeout(r, 700));
    expect((await getPod(env.client, 'overdue'))?.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    for (const name of ['overdue', 'meanwhile-deadline']) await env.client.delete('Pod', 'default', name, { gracePeriodSeconds: 1 });
    for (const name of ['overdue', 'meanwhile-deadline']) await eventually(async () => !(await getPod(env.client, name)), `${name} to be deleted`, 20_000);
  });

  it('mounts configMap and secret files and builds the environment', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { greeting: 'hello', 'app.conf': 'x=1\n' } });
    await env.client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'default' }, data: { password: Buffer.from('s3cret').toString('base64') } });
    const mounts = [
      { name: 'config', mountPath: '/config' },
      { name: 'secret', mountPath: '/secret' },
      { name: 'out', mountPath: '/out' },
    ];
    const created = (await env.client.create(
      pod('config', NODE, {
        terminationGracePeriodSeconds: 1,
        volumes: [
          { name: 'config', configMap: { name: 'cfg', items: [{ key: 'greeting', path: 'nested/greet.txt' }] } },
          { name: 'secret', secret: { secretName: 'sec' } },
          { name: 'out', emptyDir: {} },
        ],
        containers: [
          container('main', 'echo "$POD_NAME|$POD_IP|$NODE|$GREETING|$PASSWORD|$COMPOSED|$CFG_greeting" > out/env; cat config/nested/greet.txt > out/cm; cat secret/password > out/secret; exec sleep 3600', {
            volumeMounts: mounts,
            envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
            env: [
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
              { name: 'COMPOSED', value: '$(GREETING)-world' },
            ],
          }),
        ],
      }),
    )) as Pod__Output;
    const p = await waitPod(env.client, 'config', 'Running', running);
    const out = join(env.dir, NODE, 'agent', 'pods', created.metadata!.uid!, 'volumes', 'out');
    await eventually(async () => (await readFile(join(out, 'secret'), 'utf8').catch(() => '')) !== '', 'the container to write its files', 10_000);
    expect(await readFile(join(out, 'env'), 'utf8')).toBe(`config|${p.status!.podIP!}|${NODE}|hello|s3cret|hello-world|hello\n`);
    expect(await readFile(join(out, 'cm'), 'utf8')).toBe('hello');
    expect(await readFile(join(out, 'secret'), 'utf8')).toBe('s3cret');
    // A changed ConfigMap reaches the running pod's files.
    const cm = await env.client.get('ConfigMap', 'default', 'cfg');
    await env.client.update({ ...cm, data: { greeting: 'bonjour', 'app.conf': 'x=1\n' } });
    await eventually(async () => (await relayExec(env.raw, 'config', ['cat', 'config/nested/greet.txt'])).stdout === 'bonjour', 'the configMap file to be refreshed', 10_000);
    await env.client.delete('Pod', 'default', 'config', { gracePeriodSeconds: 1 });
    await eventually(async () => !(await getPod(env.client, 'config')), 'the pod to be deleted', 20_000);
  });

  it('runs init containers in order, then ends pods per restartPolicy: Succeeded, Failed, OnFailure', async () => {
    await env.client.create(
      pod('done', NODE, {
        restartPolicy: 'Never',
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [
          container('first', 'echo one > work/log', { volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
          container('second', 'echo two >> work/log', { volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
        ],
        containers: [container('main', 'cat work/log; echo done', { volumeMounts: [{ name: 'work', mountPath: '/work' }] })],
      }),
    );
    await env.client.create(pod('fails', NODE, { restartPolicy: 'Never', containers: [container('main', 'exit 2')] }));
    await env.client.create(
      pod('retries', NODE, {
        restartPolicy: 'OnFailure',
        volumes: [{ name: 'work', emptyDir: {} }],
        containers: [container('main', 'if [ -f work/once ]; then exit 0; fi; touch work/once; exit 1', { volumeMounts: [{ name: 'work', mountPath: '/work' }] })],
      }),
    );
    const done = await waitPod(env.client, 'done', 'Succeeded', (x) => x.status?.phase === 'Succeeded');
    expect(done.status?.initContainerStatuses?.map((c) => [c.name, c.state?.terminated?.exitCode, c.state?.terminated?.reason])).toEqual([
      ['first', 0, 'Completed'],
      ['second', 0, 'Completed'],
    ]);
    expect(done.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(condition(done, 'Initialized')).toBe('True');
    expect(done.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect(await relayLogs(env.raw, { pod: 'done' })).toBe('one\ntwo\ndone\n');
    expect(await relayLogs(env.raw, { pod: 'done', container: 'second' })).toBe('');

    const fails = await waitPod(env.client, 'fails', 'Failed', (x) => x.status?.phase === 'Failed');
    expect(fails.status?.containerStatuses?.[0]).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } });

    const retries = await waitPod(env.client, 'retries', 'Succeeded', (x) => x.status?.phase === 'Succeeded');
    expect(retries.status?.containerStatuses?.[0]).toMatchObject({
      restartCount: 1,
      state: { terminated: { exitCode: 0 } },
      lastState: { terminated: { exitCode: 1 } },
    });
    // Ended pods stay ended: nothing restarts them.
    await new Promise((r) => setTimeout(r, 700));
    expect((await getPod(env.client, 'fails'))?.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    for (const name of ['done', 'fails', 'retries']) await env.client.delete('Pod', 'default', name);
    for (const name of ['done', 'fails', 'retries']) await eventually(async () => !(await getPod(env.client, name)), `${name} to be deleted`, 10_000);
  });

  it('runs postStart and preStop hooks, and fails a pod that outlives its activeDeadlineSeconds', async () => {
    const hostDir = join(env.dir, `hooks-${driverName}`);
    await mkdir(hostDir, { recursive: true });
    await env.client.create(
      pod('hooks', NODE, {
        terminationGracePeriodSeconds: 2,
        volumes: [{ name: 'host', hostPath: { path: hostDir } }],
        containers: [
          container('main', 'exec sleep 3600', {
            volumeMounts: [{ name: 'host', mountPath: '/host' }],
            lifecycle: {
              postStart: { exec: { command: ['sh', '-c', 'echo started > host/poststart'] } },
              preStop: { exec: { command: ['sh', '-c', 'echo stopping > host/prestop'] } },
            },
          }),
        ],
      }),
    );
    await waitPod(env.client, 'hooks', 'Running', running);
    expect(await readFile(join(hostDir, 'poststart'), 'utf8')).toBe('started\n');
    await env.client.delete('Pod', 'default', 'hooks');
    await eventually(async () => !(await getPod(env.client, 'hooks')), 'the pod to be deleted', 20_000);
    expect(await readFile(join(hostDir, 'prestop'), 'utf8')).toBe('stopping\n');

    await env.client.create(pod('deadline', NODE, { activeDeadlineSeconds: 1, terminationGracePeriodSeconds: 1, containers: [container('main', 'exec sleep 3600')] }));
    const p = await waitPod(env.client, 'deadline', 'Failed', (x) => x.status?.phase === 'Failed', 20_000);
    expect(p.status).toMatchObject({ reason: 'DeadlineExceeded' });
    expect(p.status?.containerStatuses?.[0]?.state?.terminated).toBeTruthy();
    await env.client.delete('Pod', 'default', 'deadline');
    await eventually(async () => !(await getPod(env.client, 'deadline')), 'the pod to be deleted', 20_000);
  });

  it('keeps persistentVolumeClaim data across deleting and recreating its pod', async () => {
    const claim = `data-${Date.now().toString(36)}`;
    const token = `persisted-${Math.random().toString(36).slice(2)}`;
    const spec = (script: string) => ({
      terminationGracePeriodSeconds: 1,
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }],
      containers: [container('main', script, { volumeMounts: [{ name: 'data', mountPath: '/data' }] })],
    });
    await env.client.create(pod('pvc', NODE, spec(`echo ${token} > data/file; echo wrote; exec sleep 3600`)));
    await waitPod(env.client, 'pvc', 'Running', running);
    await eventually(async () => (await relayLogs(env.raw, { pod: 'pvc' })).includes('wrote'), 'the write', 10_000);
    await env.client.delete('Pod', 'default', 'pvc', { gracePeriodSeconds: 1 });
    await eventually(async () => !(await getPod(env.client, 'pvc')), 'the pod to be deleted', 20_000);
    await env.client.create(pod('pvc', NODE, spec('cat data/file; exec sleep 3600')));
    await waitPod(env.client, 'pvc', 'Running', running);
    await eventually(async () => (await relayLogs(env.raw, { pod: 'pvc' })).includes(token), 'the new pod to read the data', 10_000);
    await env.client.delete('Pod', 'default', 'pvc', { gracePeriodSeconds: 1 });
    await eventually(async () => !(await getPod(env.client, 'pvc')), 'the pod to be deleted', 20_000);
    if (driverName === 'docker') {
      const { default: Docker } = await import('dockerode');
      await new Docker().getVolume(`pvc-default-${claim}`).remove().catch(() => {});
    }
  });

  it('re-adopts running containers after a restart and removes those of deleted pods', async () => {
    const node = `restart-${driverName}`;
    const first = await startAgent(env, node);
    const spec = { terminationGracePeriodSeconds: 1, containers: [container('a', 'exec sleep 3600'), container('b', 'exec sleep 3600')] };
    for (const name of ['keep', 'forced', 'graceful']) await env.client.create(pod(name, node, spec));
    const before = new Map<string, Pod__Output>();
    for (const name of ['keep', 'forced', 'graceful']) before.set(name, await waitPod(env.client, name, 'Running', running));

    // "Kill" the agent: it stops; its containers keep running.
    await first.agent.stop();
    await env.client.delete('Pod', 'default', 'forced', { gracePeriodSeconds: 0 });
    expect(await getPod(env.client, 'forced')).toBeUndefined();
    await env.client.delete('Pod', 'default', 'graceful');
    expect((await getPod(env.client, 'graceful'))?.metadata?.deletionTimestamp).toBeTruthy();

    const second = await startAgent(env, node);
    await eventually(async () => !(await getPod(env.client, 'graceful')), 'the gracefully deleted pod to be finished', 20_000);
    const gone = new Set(['forced', 'graceful'].map((n) => before.get(n)!.metadata!.uid!));
    await eventually(async () => (await second.driver.recover()).every((h) => !gone.has(h.pod.uid)), 'the containers of deleted pods to be removed', 20_000);

    const keep = await waitPod(env.client, 'keep', 'Running', running);
    const ids = (p: Pod__Output) => (p.status?.containerStatuses ?? []).map((c) => [c.name, c.containerID, c.restartCount, c.state?.running?.startedAt]);
    expect(ids(keep)).toEqual(ids(before.get('keep')!));
    for (const c of keep.status!.containerStatuses!) {
      const h = await second.driver.inspect(c.containerID!.replace(/^\w+:\/\//, ''));
      expect(h?.status.state).toBe('running');
    }
    await env.client.delete('Pod', 'default', 'keep', { gracePeriodSeconds: 1 });
    await eventually(async () => !(await getPod(env.client, 'keep')), 'the pod to be deleted', 20_000);
  });

  it('reports metrics', async () => {
    const { agent } = await startAgent(env, `metrics-${driverName}`, { metricsListen: '127.0.0.1:0' });
    await env.client.create(pod('metered', agent.nodeName, { terminationGracePeriodSeconds: 1, containers: [container('main', 'exec sleep 3600')] }));
    await waitPod(env.client, 'metered', 'Running', running);
    const text = await (await fetch(`http://${agent.metricsAddress!}/metrics`)).text();
    expect(text).toMatch(/^shoal_agent_pods_running\{[^}]*\} 1$/m);
    expect(text).toMatch(/^shoal_agent_container_starts_total\{[^}]*reason="initial"[^}]*\} 1$/m);
    expect(text).toMatch(/^shoal_agent_pod_start_duration_seconds_count\{[^}]*\} 1$/m);
    expect(text).toContain('shoal_agent_probe_results_total');
    await env.client.delete('Pod', 'default', 'metered', { gracePeriodSeconds: 1 });
    await eventually(async () => !(await getPod(env.client, 'metered')), 'the pod to be deleted', 20_000);
  });

  it.runIf(driverName === 'docker')('shows ErrImagePull, then ImagePullBackOff, for an image it cannot pull', async () => {
    await env.client.create(pod('nopull', NODE, { containers: [container('main', 'true', { image: 'shoal/does-not-exist:0.1', imagePullPolicy: 'IfNotPresent' })] }));
    await env.client.create(pod('neverpull', NODE, { containers: [container('main', 'true', { image: 'shoal/does-not-exist:0.1', imagePullPolicy: 'Never' })] }));
    const reasons = new Set<string>();
    await waitPod(env.client, 'nopull', 'ErrImagePull and ImagePullBackOff', (p) => {
      const reason = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      if (reason) reasons.add(reason);
      return reasons.has('ErrImagePull') && reasons.has('ImagePullBackOff');
    });
    const p = await waitPod(env.client, 'neverpull', 'ErrImageNeverPull', (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull');
    expect(p.status?.phase).toBe('Pending');
    for (const name of ['nopull', 'neverpull']) {
      await env.client.delete('Pod', 'default', name, { gracePeriodSeconds: 1 });
      await eventually(async () => !(await getPod(env.client, name)), `${name} to be deleted`, 20_000);
    }
  });

  it.runIf(driverName === 'docker')('restarts a container whose image is changed in the pod spec', async () => {
    const { default: Docker } = await import('dockerode');
    const docker = new Docker();
    await docker.getImage(IMAGE).tag({ repo: 'shoal/busybox', tag: 'agent-test' });
    try {
      await env.client.create(pod('retag', NODE, { terminationGracePeriodSeconds: 1, containers: [container('main', 'exec sleep 3600')] }));
      const before = await waitPod(env.client, 'retag', 'Running', running);
      const fresh = (await env.client.get('Pod', 'default', 'retag')) as Pod__Output;
      const spec = structuredClone(fresh.spec!);
      spec.containers![0]!.image = 'shoal/busybox:agent-test';
      await env.client.update({ ...fresh, apiVersion: 'v1', kind: 'Pod', spec });
      const after = await waitPod(env.client, 'retag', 'running the new image', (x) => running(x) && x.status?.containerStatuses?.[0]?.image === 'shoal/busybox:agent-test');
      const cs = after.status!.containerStatuses![0]!;
      expect(cs.containerID).not.toBe(before.status!.containerStatuses![0]!.containerID);
      expect(cs.restartCount).toBe(1);
      await env.client.delete('Pod', 'default', 'retag', { gracePeriodSeconds: 1 });
      await eventually(async () => !(await getPod(env.client, 'retag')), 'the pod to be deleted', 20_000);
    } finally {
      await docker.getImage('shoal/busybox:agent-test').remove().catch(() => {});
    }
  });

  it.runIf(driverName === 'process')('requires the agent token on its gRPC service when one is set', async () => {
    const { agent } = await startAgent(env, 'auth-process', { agentToken: 'agent-secret' });
    const raw = new NodeAgentClientConstructor(agent.address, grpc.credentials.createInsecure());
    const logs = async (md: grpc.Metadata): Promise<grpc.status> => {
      try {
        for await (const _ of raw.Logs({ namespace: 'default', pod: 'nope' }, md)) void _;
        return grpc.status.OK;
      } catch (err) {
        return (err as grpc.ServiceError).code;
      }
    };
    const bearer = (t: string): grpc.Metadata => {
      const md = new grpc.Metadata();
      md.set('authorization', `Bearer ${t}`);
      return md;
    };
    try {
      expect(await logs(new grpc.Metadata())).toBe(grpc.status.UNAUTHENTICATED);
      expect(await logs(bearer('wrong'))).toBe(grpc.status.UNAUTHENTICATED);
      expect(await logs(bearer('agent-secret'))).toBe(grpc.status.NOT_FOUND);
    } finally {
      raw.close();
    }
  });

  it('keeps every container id when the agent process is SIGKILLed and started again', async () => {
    const node = `sigkill-${driverName}`;
    const script = join(env.dir, 'agent-main.mjs');
    await writeFile(
      script,
      [
        `const { startNodeAgent } = await import(${JSON.stringify(join(ROOT, 'services/node-agent/index.ts'))});`,
        `const { createDriver } = await import(${JSON.stringify(join(ROOT, 'services/node-agent/drivers/index.ts'))});`,
        'const cfg = JSON.parse(process.env.SHOAL_AGENT_TEST_CONFIG);',
        'const driver = createDriver(cfg.driverName, cfg.driverOptions);',
        'const logger = { info() {}, warn() {}, error(m) { console.error(m); } };',
        'const agent = await startNodeAgent({ ...cfg.agent, driver, logger });',
        'await agent.ready;',
        "process.on('SIGTERM', () => { agent.stop().then(() => driver.close()).finally(() => process.exit(0)); });",
        "console.log('READY');",
      ].join('\n'),
    );
    const driverOptions = { node, dataDir: join(env.dir, node, 'agent'), ipamDir: join(env.dir, 'ipam'), internalIP: '127.0.0.1' };
    const config = {
      driverName,
      driverOptions,
      agent: {
        nodeName: node,
        server: env.cluster.api.address,
        token: TEST_TOKEN,
        natsUrl: env.cluster.nats.url,
        dataDir: join(env.dir, node, 'agent'),
        leaseIntervalMs: 300,
        backoff: { initialMs: 200, maxMs: 3_000, resetAfterMs: 60_000 },
      },
    };
    const children: ChildProcess[] = [];
    const spawnAgent = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: ROOT,
        env: { ...process.env, SHOAL_AGENT_TEST_CONFIG: JSON.stringify(config) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the agent process did not get ready: ${out}`)), 30_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('READY')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`the agent process exited (${code}): ${out}`));
        });
      });
      return child;
    };
    const killed = (child: ChildProcess): Promise<void> =>
      child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
    // Whatever the outcome, the containers go: the parent's own driver for this node removes them.
    const local = createDriver(driverName, driverOptions);
    env.agents.push({ agent: { ready: Promise.resolve(), nodeName: node, address: '', stop: () => Promise.resolve() }, driver: local });
    try {
      const first = await spawnAgent();
      const spec = { terminationGracePeriodSeconds: 1, containers: [container('a', 'exec sleep 3600'), container('b', 'exec sleep 3600')] };
      await env.client.create(pod('survivor', node, spec));
      await env.client.create(pod('orphan', node, spec));
      const before = await waitPod(env.client, 'survivor', 'Running', running);
      const orphan = await waitPod(env.client, 'orphan', 'Running', running);

      first.kill('SIGKILL');
      await killed(first);
      await env.client.delete('Pod', 'default', 'orphan', { gracePeriodSeconds: 0 });
      const second = await spawnAgent();

      await eventually(async () => (await local.recover()).every((h) => h.pod.uid !== orphan.metadata!.uid), 'the orphaned containers to be removed', 20_000);
      const after = await waitPod(env.client, 'survivor', 'Running', running);
      const ids = (p: Pod__Output) => (p.status?.containerStatuses ?? []).map((c) => [c.name, c.containerID, c.restartCount]);
      expect(ids(after)).toEqual(ids(before));
      await env.client.delete('Pod', 'default', 'survivor', { gracePeriodSeconds: 1 });
      await eventually(async () => !(await getPod(env.client, 'survivor')), 'the pod to be deleted', 20_000);
      second.kill('SIGTERM');
      await killed(second);
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  });

  it.runIf(driverName === 'docker')('replaces a sandbox that died and starts the pod\'s containers again in the new one', async () => {
    const { driver } = env.agents[0]!;
    const mounts = { volumeMounts: [{ name: 'work', mountPath: '/work' }] };
    await env.client.create(
      pod('resandbox', NODE, {
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [container('init', 'echo init >> /work/runs', mounts)],
        containers: [container('main', 'exec sleep 3600', mounts)],
      }),
    );
    const before = await waitPod(env.client, 'resandbox', 'Running', running);
    const uid = before.metadata!.uid!;
    const sandboxOf = async (): Promise<string | undefined> =>
      (await driver.recover()).find((h) => h.role === 'sandbox' && h.pod.uid === uid && h.status.state === 'running')?.id;
    const old = await sandboxOf();
    expect(old).toBeTruthy();

    // The pause container dies (as when it is OOM-killed or killed by hand).
    await new Docker().getContainer(old!).kill();
    const after = await waitPod(env.client, 'resandbox', 'Running again in a new sandbox', (p) => running(p) && p.status?.containerStatuses?.[0]?.restartCount === 1, 30_000);
    const main = after.status!.containerStatuses![0]!;
    expect(main.containerID).not.toBe(before.status!.containerStatuses![0]!.containerID);
    expect(main.lastState?.terminated?.exitCode).toBe(137);
    // The init container ran again first, in the new sandbox.
    expect(after.status?.initContainerStatuses?.[0]).toMatchObject({ name: 'init', restartCount: 1, state: { terminated: { exitCode: 0 } } });
    expect(await relayExec(env.raw, 'resandbox', ['cat', '/work/runs'])).toMatchObject({ code: 0, stdout: 'init\ninit\n' });
    const fresh = await sandboxOf();
    expect(fresh).toBeTruthy();
    expect(fresh).not.toBe(old);
    expect(await driver.inspect(old!)).toBeUndefined();
    await eventually(
      async () =>
        (await env.client.list('Event', { namespace: 'default' })).items.some((e) => {
          const ev = e as Event__Output;
          return ev.reason === 'SandboxChanged' && ev.involvedObject?.uid === uid && ev.message === 'Pod sandbox changed, it will be killed and re-created.';
        }),
      'the SandboxChanged event',
      10_000,
    );
    await env.client.delete('Pod', 'default', 'resandbox', { gracePeriodSeconds: 1 });
    await eventually(async () => !(await getPod(env.client, 'resandbox')), 'the pod to be deleted', 20_000);
  }, 60_000);
});
