// The one shared harness for integration tests: real nats-server child processes on
// ephemeral ports and real LevelDB directories on disk, all cleaned up by stop().
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startNatsServer, type NatsServerProcess } from '../lib/natsd.js';

/** A fresh temporary directory; removed by the returned cleanup. */
export async function tempDir(prefix = 'shoal-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export { freePort };

export interface NatsServer extends NatsServerProcess {
  storeDir: string;
}

/** Starts a real nats-server with JetStream on a free loopback port; stop() removes its files. */
export async function startNats(): Promise<NatsServer> {
  const port = await freePort();
  const { dir: storeDir, cleanup } = await tempDir('shoal-nats-');
  const nats = await startNatsServer({ port, storeDir });
  return {
    ...nats,
    storeDir,
    async stop() {
      await nats.stop();
      await cleanup();
    },
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes; throws with `what` on timeout. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const TEST_TOKEN = 'test-admin-token';

export interface TestCluster {
  nats: NatsServer;
  api: import('../services/api/server.js').ApiServer;
  client: import('../lib/client.js').ShoalClient;
  dataDir: string;
  stop(): Promise<void>;
}

/** A real nats-server, a real API server on an ephemeral port over a LevelDB in a temp dir,
 * and an authenticated client. */
export async function startTestCluster(
  opts: {
    compactAfterMs?: number;
    bookmarkIntervalMs?: number;
    metrics?: boolean;
    agentToken?: string;
    /** Passed to the API server (its defaults otherwise). */
    serviceCIDR?: string;
    nodePortRange?: string;
  } = {},
): Promise<TestCluster> {
  const { startApiServer } = await import('../services/api/server.js');
  const { ShoalClient } = await import('../lib/client.js');
  const nats = await startNats();
  const { dir, cleanup } = await tempDir('shoal-api-');
  const api = await startApiServer({
    dataDir: dir,
    listen: '127.0.0.1:0',
    natsUrl: nats.url,
    tokens: { [TEST_TOKEN]: { user: 'admin', groups: ['system:masters'] } },
    compactAfterMs: opts.compactAfterMs,
    bookmarkIntervalMs: opts.bookmarkIntervalMs,
    metricsListen: opts.metrics ? '127.0.0.1:0' : undefined,
    agentToken: opts.agentToken,
    serviceCIDR: opts.serviceCIDR,
    nodePortRange: opts.nodePortRange,
  });
  const client = new ShoalClient({ server: api.address, token: TEST_TOKEN });
  return {
    nats,
    api,
    client,
    dataDir: dir,
    async stop() {
      client.close();
      await api.stop();
      await nats.stop();
      await cleanup();
    },
  };
}
