// `shoal up`: the embedded cluster starts nats-server and the API server, writes the client
// config, stops cleanly on SIGTERM, and keeps its data across a restart with the same dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ShoalClient, type ClientConfig } from '../lib/client.js';
import { sampleObject } from './fixtures.js';
import { tempDir } from './harness.js';

const BIN = fileURLToPath(new URL('../bin/shoal.js', import.meta.url));

let home: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir: home, cleanup } = await tempDir('shoal-up-'));
});
afterAll(async () => {
  await cleanup?.();
});

async function startUp(): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'up', '--data-dir', join(home, 'data'), '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0'], {
    // A HOME of its own: the test must not touch the user's ~/.shoal.
    env: { ...process.env, HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 20_000;
  while (!out.includes('Shoal is up')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`shoal up did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => out };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exit;
}

it('runs, prints where the client config is, stops cleanly, and keeps data across restarts', async () => {
  const first = await startUp();
  const configPath = join(home, 'data', 'admin.yaml');
  expect(first.output()).toContain(`client config written to ${configPath}`);
  const config = parse(await readFile(configPath, 'utf8')) as ClientConfig;
  expect(config.token).toMatch(/^[0-9a-f]{64}$/);
  // The plain CLI (no SHOAL_CONFIG) finds the same cluster through ~/.shoal/config.yaml.
  expect(parse(await readFile(join(home, '.shoal', 'config.yaml'), 'utf8'))).toEqual(config);

  const client = new ShoalClient(config);
  // A ConfigMap, not a workload: the cluster's agents leave pods' containers running when it
  // stops (as a kubelet does), and this test must leave nothing behind.
  const created = await client.create(sampleObject('ConfigMap', 'survivor'));
  client.close();
  expect(await stop(first.child)).toBe(0);
  expect(first.output()).toContain('SIGTERM: stopping');

  const second = await startUp();
  const config2 = parse(await readFile(configPath, 'utf8')) as ClientConfig;
  expect(config2.token).toBe(config.token);
  const again = new ShoalClient(config2);
  try {
    const found = await again.get('cm', 'default', 'survivor');
    expect(found.metadata?.uid).toBe(created.metadata?.uid);
  } finally {
    again.close();
    expect(await stop(second.child)).toBe(0);
  }
});
