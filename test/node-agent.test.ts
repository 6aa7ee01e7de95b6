// The node agent against a real API server and nats-server, running real containers: the
// same scenarios with the process driver and (when dockerd answers and the driver exists)
// the docker driver.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShoalClient } from '../lib/client.js';
import { NotFoundError } from '../lib/errors.js';
import type { ExecOutput__Output } from '../lib/gen/shoal/v1/ExecOutput.js';
import type { ExecInput } from '../lib/gen/shoal/v1/ExecInput.js';
import type { LogChunk__Output } from '../lib/gen/shoal/v1/LogChunk.js';
import type { LogsRequest } from '../lib/gen/shoal/v1/LogsRequest.js';
import type { Lease__Output } from '../lib/gen/shoal/v1/Lease.js';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { ResourcesClient } from '../lib/gen/shoal/v1/Resources.js';
import type { KubeObject } from '../lib/kinds.js';
import { grpcPackage } from '../lib/proto.js';
import type { ContainerDriver } from '../services/node-agent/driver.js';
import { createDriver, type DriverName } from '../services/node-agent/drivers/index.js';
import { startNodeAgent, type NodeAgentConfig, type NodeAgentHandle } from '../services/node-agent/index.js';
import { TEST_TOKEN, eventually, freePort, startTestCluster, tempDir, type TestCluster } from './harness.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const IMAGE = 'shoal/busybox:1.36';

/** The drivers this machine can run: process always; docker when the driver exists and
 * dockerd answers. */
async function availableDrivers(): Promise<DriverName[]> {
  const out: DriverName[] = ['process'];
  try {
    const d = createDriver('docker', { node: 'probe', dataDir: '/tmp/shoal-docker-probe' });
    await d.fingerprint();
    await d.close();
    out.push('docker');
  } catch {
    // No docker driver yet, or no dockerd.
  }
  return out;
}

const DRIVERS = await availableDrivers();

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
    dataDir: join(env.dir, nodeName, 'driver'),
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

async function waitPod(client: ShoalClient, name: string, what: string, check: (p: Pod__Output) => boolean, timeoutMs = 20_000): Promise<Pod__Output> {
  let last: Pod__Output | undefined;
  await eventually(
    async () => {
      last = await getPod(client, name);
      return !!last && check(last);
    },
    `${name}: ${what}`,
    timeoutMs,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last?.status)}`);
  });
  return last!;
}

const running = (p: Pod__Output): boolean => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.state?.running);
const condition = (p: Pod__Output, type: string): string | undefined => p.status?.conditions?.find((c) => c.type === type)?.status;

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
    await startAgent(env, NODE);
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
  });

  it('runs a pod to Running with its IP, conditions and container status', async () => {
    await env.client.create(
      pod('simple', NODE, {
        containers: [container('main', 'echo hello from $POD_NAME; sleep 3600', { env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] })],
      }),
    );
    const p = await waitPod(env.client, 'simple', 'Running and Ready', (x) => running(x) && condition(x, 'Ready') === 'True');
    expect(p.status?.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(p.status?.podIPs).toEqual([{ ip: p.status?.podIP }]);
    expect(p.status?.hostIP).toBe('127.0.0.1');
    expect(p.status?.startTime).toBeTruthy();
    for (const type of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) expect(condition(p, type)).toBe('True');
    const cs = p.status!.containerStatuses![0]!;
    expect(cs).toMatchObject({ name: 'main', ready: true, started: true, restartCount: 0, image: IMAGE });
    expect(cs.containerID).toMatch(new RegExp(`^${driverName}://.+`));
    expect(cs.state?.running?.startedAt).toBeTruthy();

    // Logs through the API server's relay to this agent.
    await eventually(async () => (await relayLogs(env.raw, { pod: 'simple' })).includes('hello from simple'), 'the pod log', 5_000);
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
});
