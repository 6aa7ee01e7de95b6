// Services in containers are configured by environment variables: every flag --foo-bar of a
// service command as SHOAL_FOO_BAR, and the cluster a service (or the CLI) talks to as
// $SHOAL_SERVER/$SHOAL_TOKEN/$SHOAL_NATS. Here a real `shoal api` process is started from the
// environment alone, and the CLI reaches it through the environment alone.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, tempDir, type NatsServer } from './harness.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'shoal.js');
const run = promisify(execFile);

/** Only PATH and HOME from this process: no SHOAL_* leaks in from the runner. */
function baseEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home };
}

/** Runs the CLI, resolving with its exit code and output whatever the code. */
async function shoal(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('service configuration from the environment', () => {
  let nats: NatsServer;
  let dir: { dir: string; cleanup: () => Promise<void> };
  let api: ChildProcess | undefined;
  let address = '';
  let metrics = '';

  beforeAll(async () => {
    nats = await startNats();
    dir = await tempDir();
    api = spawn(process.execPath, [BIN, 'api'], {
      env: {
        ...baseEnv(dir.dir),
        SHOAL_DATA_DIR: join(dir.dir, 'data'),
        SHOAL_ADMIN_TOKEN: 'env-admin-token',
        SHOAL_LISTEN: '127.0.0.1:0',
        SHOAL_METRICS: '127.0.0.1:0',
        SHOAL_NATS: nats.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the API server did not start: ${out}`)), 30_000);
      const onData = (d: Buffer): void => {
        out += d.toString();
        const m = out.match(/listening (\S+) metrics (\S+)/);
        if (m) {
          clearTimeout(timer);
          [, address = '', metrics = ''] = m;
          resolve();
        }
      };
      api!.stdout!.on('data', onData);
      api!.stderr!.on('data', onData);
      api!.once('exit', (code) => reject(new Error(`the API server exited (${code}): ${out}`)));
    });
  });

  afterAll(async () => {
    if (api && api.exitCode === null) {
      const exited = new Promise((resolve) => api!.once('exit', resolve));
      api.kill('SIGTERM');
      await exited;
    }
    await nats?.stop();
    await dir?.cleanup();
  });

  it('starts the API server from SHOAL_* variables alone', async () => {
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    const health = await fetch(`http://${metrics}/healthz`);
    expect(health.status).toBe(200);
  });

  it('the CLI finds the cluster through $SHOAL_SERVER and $SHOAL_TOKEN, and the admin token works', async () => {
    const env = { ...baseEnv(dir.dir), SHOAL_SERVER: address, SHOAL_TOKEN: 'env-admin-token' };
    const r = await shoal(['get', 'namespaces'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^default\s+Active/m);
  });

  it('an explicit $SHOAL_CONFIG wins over $SHOAL_SERVER', async () => {
    const file = join(dir.dir, 'config.yaml');
    await writeFile(file, `server: ${address}\ntoken: env-admin-token\n`);
    // $SHOAL_SERVER names a port nothing listens on: were it used, the call would fail.
    const r = await shoal(['get', 'namespaces', 'default'], { ...baseEnv(dir.dir), SHOAL_CONFIG: file, SHOAL_SERVER: '127.0.0.1:1', SHOAL_TOKEN: 'x' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^default\s+Active/m);
  });

  it('a wrong token from the environment is refused', async () => {
    const r = await shoal(['get', 'namespaces'], { ...baseEnv(dir.dir), SHOAL_SERVER: address, SHOAL_TOKEN: 'not-the-token' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unauthenticated|token/i);
  });

  it('$SHOAL_SERVER without $SHOAL_TOKEN is an error that names the variable', async () => {
    const r = await shoal(['get', 'namespaces'], { ...baseEnv(dir.dir), SHOAL_SERVER: address });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('$SHOAL_TOKEN');
  });

  it('a bad boolean in a flag variable is an error that names the variable', async () => {
    const r = await shoal(['node-agent'], { ...baseEnv(dir.dir), SHOAL_NAME: 'n1', SHOAL_REMOVE_PODS_ON_EXIT: 'yes please' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('$SHOAL_REMOVE_PODS_ON_EXIT');
  });

  it('a flag on the command line wins over its variable', async () => {
    // --runtime from the command line is checked before anything starts; the variable's
    // value would have been accepted.
    const r = await shoal(['node-agent', '--runtime', 'qemu'], { ...baseEnv(dir.dir), SHOAL_NAME: 'n1', SHOAL_RUNTIME: 'process' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid --runtime "qemu"');
  });

  it('stops gracefully on SIGTERM, with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => api!.once('exit', (code) => resolve(code)));
    api!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
