// Durability: an API server in a child process, killed with SIGKILL in the middle of a
// stream of creates, has every acknowledged create after a restart on the same directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ShoalClient } from '../lib/client.js';
import type { KubeObject } from '../lib/kinds.js';
import { sampleObject } from './fixtures.js';
import { TEST_TOKEN, tempDir } from './harness.js';

const BIN = fileURLToPath(new URL('../bin/shoal.js', import.meta.url));

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('shoal-durable-'));
  await writeFile(join(dir, 'tokens.json'), JSON.stringify({ [TEST_TOKEN]: { user: 'admin', groups: [] } }));
});
afterAll(async () => {
  await cleanup?.();
});

/** Starts `shoal api` as a child and resolves with its gRPC address once it listens. */
async function startChild(): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, [BIN, 'api', '--data-dir', join(dir, 'data'), '--token-file', join(dir, 'tokens.json'), '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`shoal api did not start: ${stderr}`)), 20_000);
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = out.match(/listening (\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`shoal api exited with ${code}: ${stderr}`)));
  });
  return { child, address };
}

it('keeps every acknowledged create across a SIGKILL', async () => {
  const first = await startChild();
  // No retries: once the server is dead, the writers stop at once.
  const client = new ShoalClient({ server: first.address, token: TEST_TOKEN, retry: { deadlineMs: 0 } });
  const acknowledged: KubeObject[] = [];
  let next = 0;
  let stop = false;
  // Eight writers stream creates until the server dies under them.
  const writers = Array.from({ length: 8 }, async () => {
    while (!stop && next < 20_000) {
      const name = `durable-${next++}`;
      try {
        acknowledged.push(await client.create(sampleObject('ConfigMap', name)));
      } catch {
        return;
      }
    }
  });
  const deadline = Date.now() + 20_000;
  while (acknowledged.length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  stop = true;
  await Promise.all(writers);
  client.close();
  expect(acknowledged.length).toBeGreaterThanOrEqual(300);

  const second = await startChild();
  const after = new ShoalClient({ server: second.address, token: TEST_TOKEN });
  try {
    const listed = await after.list('ConfigMap', { namespace: 'default' });
    const byName = new Map(listed.items.map((o) => [o.metadata?.name, o]));
    for (const obj of acknowledged) {
      const found = byName.get(obj.metadata?.name);
      expect(found?.metadata?.uid, obj.metadata?.name).toBe(obj.metadata?.uid);
    }
    // The revision never goes backwards across the crash.
    const maxAcked = Math.max(...acknowledged.map((o) => Number(o.metadata?.resourceVersion)));
    expect(Number(listed.resourceVersion)).toBeGreaterThanOrEqual(maxAcked);
  } finally {
    after.close();
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  }
});
