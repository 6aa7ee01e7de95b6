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
