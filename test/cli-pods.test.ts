// The pod verbs of the `shoal` binary against a whole cluster: API server, scheduler and a
// Docker node agent, with the agent token on the relay. (Runs the build in dist/.)
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FALLBACK_SANDBOX_IMAGE, createDriver } from '../services/node-agent/drivers/index.js';
import { startNodeAgent, type NodeAgentHandle } from '../services/node-agent/index.js';
import { startScheduler } from '../services/scheduler/index.js';
import type { ContainerDriver } from '../services/node-agent/driver.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import { TEST_TOKEN, eventually, startTestCluster, type TestCluster } from './harness.js';

const BIN = fileURLToPath(new URL('../bin/shoal.js', import.meta.url));
const AGENT_TOKEN = 'test-agent-token';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

let cluster: TestCluster;
let scheduler: { stop(): Promise<void> };
let agent: NodeAgentHandle;
let driver: ContainerDriver;
let env: NodeJS.ProcessEnv;

function shoal(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

beforeAll(async () => {
  cluster = await startTestCluster({ agentToken: AGENT_TOKEN });
  const common = { server: cluster.api.address, token: TEST_TOKEN, natsUrl: cluster.nats.url };
  scheduler = await startScheduler({ ...common, logger: quiet });
  const dataDir = join(cluster.dataDir, 'node');
  driver = createDriver('docker', { node: `cli-pods-${process.pid}`, dataDir, sandboxImage: FALLBACK_SANDBOX_IMAGE });
  agent = await startNodeAgent({ ...common, nodeName: `cli-pods-${process.pid}`, driver, dataDir, agentToken: AGENT_TOKEN, logger: quiet });
  await agent.ready;
  const config = join(cluster.dataDir, 'client.yaml');
  await writeFile(config, stringify({ server: cluster.api.address, token: TEST_TOKEN, nats: cluster.nats.url }));
  env = { ...process.env, SHOAL_CONFIG: config };
}, 60_000);

afterAll(async () => {
  // Remove the pods first, so the agent stops their containers before it goes.
  for (const pod of (await cluster.client.list('Pod', { namespace: 'default' })).items) {
    await cluster.client.delete('Pod', 'default', pod.metadata?.name ?? '', { gracePeriodSeconds: 0 }).catch(() => undefined);
  }
  for (const h of await driver.recover()) {
    await driver.stopContainer(h.id, 0);
    await driver.removeContainer(h.id);
  }
  await agent?.stop();
  await driver?.close();
  await scheduler?.stop();
  await cluster?.stop();
}, 60_000);

it('run --rm prints the output, exits with the command\'s code and deletes the pod', async () => {
  const ok = await shoal(['run', 'once', '--image', 'shoal/busybox:1.36', '--rm', '--', 'sh', '-c', 'echo hello from a pod']);
  expect(ok.stderr).toBe('');
  expect(ok.stdout).toBe('hello from a pod\npod "once" deleted\n');
  expect(ok.code).toBe(0);
  const failing = await shoal(['run', 'fails', '--image', 'shoal/busybox:1.36', '--rm', '--command', '--', 'sh', '-c', 'echo bad; exit 3']);
  expect(failing.stdout).toContain('bad\n');
  expect(failing.code).toBe(3);
  await eventually(async () => (await cluster.client.list('Pod', { namespace: 'default' })).items.length === 0, 'the pods to be gone');
}, 60_000);

it('logs and exec reach a running pod through the API server and the agent', async () => {
  const created = await shoal(['run', 'talker', '--image', 'shoal/busybox:1.36', '--', 'sh', '-c', 'echo one; echo two; echo three; sleep 3600']);
  expect(created.stdout).toBe('pod/talker created\n');
  await eventually(async () => ((await cluster.client.get('Pod', 'default', 'talker')) as Pod__Output).status?.phase === 'Running', 'talker to run', 30_000);
  await eventually(async () => (await shoal(['logs', 'talker'])).stdout === 'one\ntwo\nthree\n', 'the logs', 10_000);
  expect((await shoal(['logs', 'talker', '--tail', '1'])).stdout).toBe('three\n');

  const ex = await shoal(['exec', 'talker', '--', 'sh', '-c', 'echo out; echo err >&2; exit 4']);
  expect(ex.stdout).toBe('out\n');
  expect(ex.stderr).toBe('err\n');
  expect(ex.code).toBe(4);
  // A shell in the pod, fed on stdin.
  const sh = await shoal(['exec', '-i', 'talker', '--', 'sh'], 'echo "$((6 * 7))"; hostname\n');
  expect(sh.stdout).toBe('42\ntalker\n');

  const missing = await shoal(['logs', 'nope']);
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain('pods "nope" not found');
}, 90_000);

it('run -i attaches stdin to the container, exits with its code, and --rm deletes the pod', async () => {
  const sh = await shoal(['run', 'shell', '-i', '--rm', '--image', 'shoal/busybox:1.36', '--', 'sh'], 'echo "$((6*7))"; echo to-err >&2; exit 3\n');
  expect(sh.stdout).toBe('42\npod "shell" deleted\n');
  expect(sh.stderr).toBe('to-err\n');
  expect(sh.code).toBe(3);
  // A command that ends before the attach is in place: its output is not lost.
  const quick = await shoal(['run', 'quick', '-i', '--rm', '--image', 'shoal/busybox:1.36', '--', 'sh', '-c', 'echo quick; exit 2'], '');
  expect(quick.stdout).toBe('quick\npod "quick" deleted\n');
  expect(quick.code).toBe(2);
  await eventually(
    async () => (await cluster.client.list('Pod', { namespace: 'default' })).items.every((p) => !['shell', 'quick'].includes(p.metadata?.name ?? '')),
    'the pods to be gone',
  );
  // Without --rm the pod stays, with stdin open for attach; -t alone is refused.
  const kept = await shoal(['run', 'kept', '-i', '--image', 'shoal/busybox:1.36', '--', 'sh'], 'exit 0\n');
  expect(kept.code).toBe(0);
  const pod = (await cluster.client.get('Pod', 'default', 'kept')) as Pod__Output;
  expect(pod.spec?.containers?.[0]).toMatchObject({ stdin: true, stdinOnce: true });
  expect(pod.spec?.restartPolicy).toBe('Never');
  await cluster.client.delete('Pod', 'default', 'kept', { gracePeriodSeconds: 0 });
  const tty = await shoal(['run', 'tty', '-t', '--image', 'shoal/busybox:1.36', '--', 'sh']);
  expect(tty.code).toBe(2);
  expect(tty.stderr).toContain('-i/--stdin is required');
}, 90_000);
