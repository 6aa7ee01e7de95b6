// A node whose container runtime is down reports Ready=False (reason KubeletNotReady), as a
// kubelet does, and Ready=True again once the runtime answers: with a real dockerd, reached
// through a relay on a socket of the test's own that it can shut (refusing new connections
// and cutting open ones, as a daemon that died does), while the daemon itself keeps serving
// every other test.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import { DockerDriver, FALLBACK_SANDBOX_IMAGE } from '../services/node-agent/drivers/docker.js';
import { startNodeAgent, type NodeAgentHandle } from '../services/node-agent/index.js';
import { TEST_TOKEN, eventually, startTestCluster, type TestCluster } from './harness.js';
import { quiet } from './load.js';

const NODE = `ready-${process.pid}`;
const NETWORK = `shoal-readytest-${process.pid}`;

/** Relays a unix socket to dockerd's; close() cuts every connection and stops listening. */
async function dockerRelay(path: string): Promise<{ close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const daemon = createConnection('/var/run/docker.sock');
    open.add(client).add(daemon);
    const drop = (): void => {
      client.destroy();
      daemon.destroy();
      open.delete(client);
      open.delete(daemon);
    };
    client.on('error', drop).on('close', drop);
    daemon.on('error', drop).on('close', drop);
    client.pipe(daemon).pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, resolve));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('node readiness follows the container runtime', () => {
  let cluster: TestCluster;
  let agent: NodeAgentHandle | undefined;
  let driver: DockerDriver;
  let socket: string;
  let relay: { close(): Promise<void> } | undefined;

  beforeAll(async () => {
    cluster = await startTestCluster();
    socket = join(cluster.dataDir, 'docker.sock');
    relay = await dockerRelay(socket);
    driver = new DockerDriver({
      node: NODE,
      docker: new Docker({ socketPath: socket }),
      networkName: NETWORK,
      subnet: `10.252.${process.pid % 250}.0/24`,
      sandboxImage: FALLBACK_SANDBOX_IMAGE,
    });
    const dataDir = join(cluster.dataDir, 'node');
    agent = await startNodeAgent({
      server: cluster.api.address,
      token: TEST_TOKEN,
      natsUrl: cluster.nats.url,
      nodeName: NODE,
      driver,
      dataDir,
      logger: quiet,
      leaseIntervalMs: 500,
    });
    await agent.ready;
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await driver?.close();
    await relay?.close();
    await new Docker().getNetwork(NETWORK).remove().catch(() => undefined);
    await cluster?.stop();
  });

  const ready = async (): Promise<{ status?: string; reason?: string; message?: string }> => {
    const node = (await cluster.client.get('Node', '', NODE)) as Node__Output;
    const c = node.status?.conditions?.find((x) => x.type === 'Ready');
    return { status: c?.status, reason: c?.reason, message: c?.message };
  };

  it('reports Ready=True while dockerd answers', async () => {
    await eventually(async () => (await ready()).status === 'True', 'node Ready=True', 20_000);
    await expect(driver.health()).resolves.toBeUndefined();
  });

  it('reports Ready=False with the reason when the runtime cannot be reached, and Ready=True once it can', async () => {
    await relay!.close();
    await expect(driver.health()).rejects.toThrow();
    await eventually(async () => (await ready()).status === 'False', 'node Ready=False', 20_000);
    const r = await ready();
    expect(r.reason).toBe('KubeletNotReady');
    expect(r.message).toMatch(/^container runtime is down: /);

    relay = await dockerRelay(socket);
    await eventually(async () => (await ready()).status === 'True', 'node Ready=True again', 20_000);
    expect((await ready()).reason).toBe('KubeletReady');
  }, 60_000);
});
