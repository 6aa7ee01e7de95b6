// Attach (kubectl attach) through the API server's relay to the node agents: the docker
// runtime joins the container's process with stdin, the process runtime follows its output
// and refuses stdin. One cluster, one agent per runtime, pods pinned to a node by name.
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../lib/errors.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { KubeObject } from '../lib/kinds.js';
import type { ContainerDriver } from '../services/node-agent/driver.js';
import { createDriver, type DriverName } from '../services/node-agent/drivers/index.js';
import { startNodeAgent, type NodeAgentHandle } from '../services/node-agent/index.js';
import { TEST_TOKEN, eventually, startTestCluster, tempDir, type TestCluster } from './harness.js';

const IMAGE = 'shoal/busybox:1.36';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

let cluster: TestCluster;
let dir: string;
let cleanupDir: () => Promise<void>;
const agents: { agent: NodeAgentHandle; driver: ContainerDriver }[] = [];
const nodeOf = (runtime: DriverName): string => `attach-${runtime}-${process.pid}`;

function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

function pod(name: string, runtime: DriverName, container: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: nodeOf(runtime), restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: IMAGE, ...container }] },
  };
}

async function waitRunning(name: string): Promise<void> {
  await eventually(
    async () => ((await cluster.client.get('Pod', 'default', name)) as Pod__Output).status?.containerStatuses?.[0]?.state?.running !== undefined,
    `${name} to run`,
    30_000,
  );
}

beforeAll(async () => {
  cluster = await startTestCluster({ agentToken: 'attach-agent-token' });
  ({ dir, cleanup: cleanupDir } = await tempDir('shoal-attach-'));
  for (const runtime of ['process', 'docker'] as const) {
    const node = nodeOf(runtime);
    const dataDir = join(dir, node);
    const driver = createDriver(runtime, { node, dataDir, ipamDir: join(dir, 'ipam'), internalIP: '127.0.0.1' });
    const agent = await startNodeAgent({
      nodeName: node,
      server: cluster.api.address,
      token: TEST_TOKEN,
      natsUrl: cluster.nats.url,
      driver,
      dataDir,
      agentToken: 'attach-agent-token',
      logger: quiet,
    });
    agents.push({ agent, driver });
    await agent.ready;
  }
}, 60_000);

afterAll(async () => {
  for (const p of (await cluster.client.list('Pod', { namespace: 'default' })).items) {
    await cluster.client.delete('Pod', 'default', p.metadata?.name ?? '', { gracePeriodSeconds: 0 }).catch(() => undefined);
  }
  for (const { agent, driver } of agents) {
    await agent.stop();
    const handles = await driver.recover().catch(() => []);
    for (const h of handles) {
      if (h.role === 'sandbox') continue;
      await driver.stopContainer(h.id, 0).catch(() => undefined);
      await driver.removeContainer(h.id).catch(() => undefined);
    }
    for (const uid of new Set(handles.map((h) => h.pod.uid))) await driver.removeSandbox(handles.find((h) => h.pod.uid === uid)!.pod).catch(() => undefined);
    await driver.close();
  }
  await cluster?.stop();
  await cleanupDir?.();
}, 60_000);

describe('attach with the docker runtime', () => {
  it('feeds stdin to the container\'s process and ends with its exit code', async () => {
    await cluster.client.create(pod('shell', 'docker', { command: ['sh'], stdin: true, stdinOnce: true }));
    await waitRunning('shell');
    const out = collector();
    const err = collector();
    const code = await cluster.client.attach('default', 'shell', {
      stdin: Readable.from([Buffer.from('echo "$((6*7))"; echo oops >&2; exit 3\n')]),
      stdout: out.stream,
      stderr: err.stream,
      signal: AbortSignal.timeout(30_000),
    });
    expect(code).toBe(3);
    expect(out.text()).toBe('42\n');
    expect(err.text()).toBe('oops\n');
    // stdinOnce: the container ended with our stdin; the pod ends per restartPolicy Never.
    await eventually(async () => ((await cluster.client.get('Pod', 'default', 'shell')) as Pod__Output).status?.phase === 'Failed', 'the pod to fail', 20_000);
    // An attach after the end gives the whole output and the exit code.
    const again = collector();
    expect(await cluster.client.attach('default', 'shell', { stdout: again.stream, stderr: again.stream })).toBe(3);
    expect(again.text()).toContain('42\n');
  }, 60_000);

  it('detaches on abort and leaves the container running', async () => {
    await cluster.client.create(pod('ticker', 'docker', { command: ['sh', '-c', 'while true; do echo tick; sleep 0.3; done'] }));
    await waitRunning('ticker');
    const out = collector();
    const ac = new AbortController();
    const attached = cluster.client.attach('default', 'ticker', { stdout: out.stream, stderr: out.stream, signal: ac.signal });
    await eventually(() => out.text().includes('tick\ntick\n'), 'the attached output', 10_000);
    ac.abort();
    expect(await attached).toBeUndefined();
    const p = (await cluster.client.get('Pod', 'default', 'ticker')) as Pod__Output;
    expect(p.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
    // stdin for a container created without it is refused.
    await expect(cluster.client.attach('default', 'ticker', { stdin: Readable.from([]), stdout: out.stream, stderr: out.stream })).rejects.toThrow(/stdin/);
  }, 60_000);
});

describe('attach with the process runtime', () => {
  it('follows the output and ends with the exit code', async () => {
    await cluster.client.create(pod('counter', 'process', { command: ['sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.2; done; exit 4'] }));
    await waitRunning('counter');
    const out = collector();
    expect(await cluster.client.attach('default', 'counter', { stdout: out.stream, stderr: out.stream, signal: AbortSignal.timeout(30_000) })).toBe(4);
    expect(out.text()).toBe('line 1\nline 2\nline 3\n');
  }, 60_000);

  it('refuses stdin with a clear error', async () => {
    await cluster.client.create(pod('nostdin', 'process', { command: ['sh', '-c', 'sleep 3600'], stdin: true }));
    await waitRunning('nostdin');
    const out = collector();
    await expect(cluster.client.attach('default', 'nostdin', { stdin: Readable.from([]), stdout: out.stream, stderr: out.stream })).rejects.toThrow(/\/dev\/null/);
  }, 60_000);
});

it('reports a pod that does not exist', async () => {
  const out = collector();
  await expect(cluster.client.attach('default', 'nope', { stdout: out.stream, stderr: out.stream })).rejects.toBeInstanceOf(NotFoundError);
});
