// `shoal up --cluster-dns`: the embedded cluster's proxy serves the cluster DNS on that address
// (put on shoal-svc) and answers for the cluster's Services, and takes the address away when
// it stops. No node (--nodes 0): the agents' side, pods resolving through it, is
// dns-e2e.test.ts; here only the wiring of the flags, through the real binary.
//
// Addresses from RFC 2544's benchmarking range, guarded by an `unreachable` route for
// 198.18.3.0/24 while the test runs (see clusterip-pods.test.ts); the query goes from this host
// to an address on this host.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ShoalClient, type ClientConfig } from '../lib/client.js';
import type { Service__Output } from '../lib/gen/shoal/v1/Service.js';
import { tempDir } from './harness.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/shoal.js', import.meta.url));
const GUARD = '198.18.3.0/24';
const DNS_IP = '198.18.3.200';

let home: string;
let cleanup: () => Promise<void>;
let child: ChildProcess | undefined;

beforeAll(async () => {
  await run('ip', ['route', 'replace', 'unreachable', GUARD]);
  ({ dir: home, cleanup } = await tempDir('shoal-dns-up-'));
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await cleanup?.();
  await run('ip', ['route', 'del', 'unreachable', GUARD]).catch(() => undefined);
}, 30_000);

/** One A query over UDP; the answer's rcode and addresses (undefined on no answer in 3 s). */
function queryA(name: string): Promise<{ rcode: number; addresses: string[] } | undefined> {
  const header = Buffer.from([0x42, 0x42, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const qname = Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const msg = Buffer.concat([header, qname, Buffer.from([0, 1, 0, 1])]);
  const sock = createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sock.close();
      resolve(undefined);
    }, 3000);
    sock.on('message', (m: Buffer) => {
      clearTimeout(timer);
      sock.close();
      // Answers follow the echoed question; each A record here is a 16-byte compressed one.
      const count = m.readUInt16BE(6);
      const start = 12 + qname.length + 4;
      const addresses = Array.from({ length: count }, (_, i) => [...m.subarray(start + i * 16 + 12, start + i * 16 + 16)].join('.'));
      resolve({ rcode: m.readUInt16BE(2) & 0xf, addresses });
    });
    sock.on('error', () => resolve(undefined));
    sock.send(msg, 53, DNS_IP);
  });
}

async function onDummy(ip: string): Promise<boolean> {
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', 'shoal-svc']).catch(() => ({ stdout: '' }));
  return stdout.includes(`inet ${ip}/`);
}

it('serves the cluster DNS on --cluster-dns for the Services of the cluster, and removes it at stop', async () => {
  const args = ['up', '--data-dir', join(home, 'data'), '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--nodes', '0'];
  args.push('--service-cidr', '198.18.3.0/25', '--cluster-dns', DNS_IP);
  const proc = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 30_000;
  while (!out.includes('Shoal is up')) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`shoal up did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(out).toContain(`cluster DNS for cluster.local on ${DNS_IP}:53`);
  expect(await onDummy(DNS_IP)).toBe(true);

  const config = parse(await readFile(join(home, 'data', 'admin.yaml'), 'utf8')) as ClientConfig;
  const client = new ShoalClient(config);
  try {
    await client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { ports: [{ port: 5432 }] } });
    const ip = ((await client.get('Service', 'default', 'db')) as Service__Output).spec?.clusterIP ?? '';
    expect(ip.startsWith('198.18.3.')).toBe(true);
    let answer: Awaited<ReturnType<typeof queryA>>;
    const until = Date.now() + 10_000;
    do {
      answer = await queryA('db.default.svc.cluster.local');
      if (answer?.addresses[0] === ip) break;
      await new Promise((r) => setTimeout(r, 200));
    } while (Date.now() < until);
    expect(answer).toEqual({ rcode: 0, addresses: [ip] });
    expect((await queryA('nope.default.svc.cluster.local'))?.rcode).toBe(3);
  } finally {
    client.close();
  }

  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  proc.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(await onDummy(DNS_IP)).toBe(false);
}, 60_000);
