// Shared pieces of the benchmarks: starting Shoal's API server and etcd as child processes
// on loopback, and percentile maths.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../lib/natsd.js';

export const TOKEN = 'bench-token';
const BIN = fileURLToPath(new URL('../bin/shoal.js', import.meta.url));

export interface Child {
  child: ChildProcess;
  address: string;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
}

/** `shoal api` in its own process (the built binary: run `npm run build` first). */
export async function startShoalApi(dir: string, natsUrl?: string): Promise<Child> {
  await writeFile(join(dir, 'tokens.json'), JSON.stringify({ [TOKEN]: { user: 'admin', groups: [] } }));
  const args = [BIN, 'api', '--data-dir', join(dir, 'shoal'), '--token-file', join(dir, 'tokens.json'), '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0'];
  if (natsUrl) args.push('--nats', natsUrl);
  // e.g. SHOAL_BENCH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
  const nodeArgs = (process.env.SHOAL_BENCH_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = out.match(/listening (\S+)/);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`shoal api exited with ${code}`)));
  });
  return { child, address, stop: stopper(child) };
}

/** A one-member etcd 3.4 on loopback, data on the same disk. */
export async function startEtcd(dir: string): Promise<Child> {
  const client = await freePort();
  const peer = await freePort();
  const child = spawn(
    'etcd',
    [
      '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', `http://127.0.0.1:${client}`,
      '--advertise-client-urls', `http://127.0.0.1:${client}`,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `default=http://127.0.0.1:${peer}`,
      '--log-level', 'error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const { connect } = await import('node:net');
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`etcd exited: ${err}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(client, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error('etcd did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, address: `127.0.0.1:${client}`, stop: stopper(child) };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i]!)).join('   ')).join('\n');
}
