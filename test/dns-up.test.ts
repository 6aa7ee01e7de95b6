// `shoal up --cluster-dns`: the embedded cluster's proxy serves the cluster DNS on that address
// (put on the proxy's interface, here --cluster-ip-interface IFACE) and answers for the
// cluster's Services, forwards other names to --dns-upstream, the API server never gives the
// address to a Service, and the address goes away when it stops; and `up` refuses to start when
// the address cannot be served. No node (--nodes 0): the agents' side, pods resolving through
// it, is dns-e2e.test.ts; here only the wiring of the flags, through the real binary.
//
// Addresses from RFC 2544's benchmarking range, guarded by an `unreachable` route for
// 198.18.3.0/24 while the test runs (see clusterip-pods.test.ts); the queries go from this host
// to an address on this host, and the only upstream is a fake DNS server on 127.0.0.1.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ShoalClient, type ClientConfig } from '../lib/client.js';
import type { Service__Output } from '../lib/gen/shoal/v1/Service.js';
import { clusterDNSProblem } from '../cli/up.js';
import { tempDir } from './harness.js';
import { FAKE_ADDRESS, startFakeUpstream, type FakeUpstream } from './dns-upstream-fake.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/shoal.js', import.meta.url));
const GUARD = '198.18.3.0/24';
/** Inside the service CIDR, as the README's 10.96.0.10 is inside 10.96.0.0/12. */
const SERVICE_CIDR = '198.18.3.0/28';
const DNS_IP = '198.18.3.10';
const IFACE = 'shoal-t-dnsup';

let home: string;
let cleanup: () => Promise<void>;
let child: ChildProcess | undefined;
let upstream: FakeUpstream;

beforeAll(async () => {
  await run('ip', ['route', 'replace', 'unreachable', GUARD]);
  ({ dir: home, cleanup } = await tempDir('shoal-dns-up-'));
  upstream = await startFakeUpstream();
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await upstream?.close();
  await cleanup?.();
  await run('ip', ['link', 'del', IFACE]).catch(() => undefined);
  await run('ip', ['route', 'del', 'unreachable', GUARD]).catch(() => undefined);
}, 30_000);

/** Runs `shoal up ARGS` with HOME in the test's directory; resolves once it prints "Shoal is
 * up" (or exits: then `exitCode` is set). Bounded by `ms`. */
async function startUp(args: string[], ms = 45_000): Promise<{ proc: ChildProcess; out: () => string }> {
  const proc = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + ms;
  while (!out.includes('Shoal is up') && proc.exitCode === null) {
    if (Date.now() > deadline) throw new Error(`shoal up did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, out: () => out };
}

/** One A query over UDP; the answer's rcode and addresses (undefined on no answer in 3 s). */
function queryA(name: string, server = DNS_IP): Promise<{ rcode: number; addresses: string[] } | undefined> {
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
    sock.send(msg, 53, server);
  });
}

async function onDummy(ip: string): Promise<boolean> {
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', IFACE]).catch(() => ({ stdout: '' }));
  return stdout.includes(`inet ${ip}/`);
}

it('serves the cluster DNS on --cluster-dns for the Services of the cluster, forwards other names, never gives a Service its address, and removes it at stop', async () => {
  const args = ['up', '--data-dir', join(home, 'data'), '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--nodes', '0'];
  args.push('--service-cidr', SERVICE_CIDR, '--cluster-dns', DNS_IP, '--cluster-domain', ' Cluster.Local. ');
  args.push('--cluster-ip-interface', IFACE, '--dns-upstream', upstream.spec);
  const { proc, out } = await startUp(args);
  expect(proc.exitCode, out()).toBeNull();
  expect(out()).toContain(`cluster DNS for cluster.local on ${DNS_IP}:53, forwarding other names to ${upstream.spec}`);
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
    expect(await queryA('www.example.com')).toEqual({ rcode: 0, addresses: [FAKE_ADDRESS] });
    expect(upstream.seen.map((q) => q.name)).toEqual(['www.example.com']);

    // The /28 has 13 allocatable addresses; one is the DNS address, so 12 Services fit (db is
    // the first) and none of them gets it.
    const ips = [ip];
    let full: unknown;
    for (let i = 0; i < 15 && full === undefined; i++) {
      try {
        const s = await client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
        ips.push((s as Service__Output).spec?.clusterIP ?? '');
      } catch (err) {
        full = err;
      }
    }
    expect(ips).toHaveLength(12);
    expect(ips).not.toContain(DNS_IP);
    expect(String(full)).toMatch(/no cluster IP left/);
  } finally {
    client.close();
  }

  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  proc.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(await onDummy(DNS_IP)).toBe(false);
  await expect(run('ip', ['link', 'show', 'dev', IFACE])).rejects.toThrow();
}, 90_000);

describe('a cluster DNS address the proxy cannot serve', () => {
  it('is never handed to pods: the decision', () => {
    expect(clusterDNSProblem({ state: 'serving', address: DNS_IP })).toBeUndefined();
    // Not root: the address cannot go on the interface; retrying will not help.
    const unservable = clusterDNSProblem({ state: 'unservable', address: '10.96.0.10', reason: '10.96.0.10 is not a local address and adding it to shoal-svc needs root' });
    expect(unservable).toMatch(/cannot serve the cluster DNS on 10\.96\.0\.10:53 \(10\.96\.0\.10 is not a local address and adding it to shoal-svc needs root\)/);
    expect(unservable).toMatch(/run as root/);
    expect(clusterDNSProblem({ state: 'pending', address: '10.96.0.10', reason: 'EADDRINUSE' })).toMatch(/EADDRINUSE.*port 53/);
  });

  it.skipIf(process.getuid?.() !== 0)('makes `shoal up` fail with a clear error (port 53 taken there)', async () => {
    // Something else holds 127.0.0.77:53 (UDP): the proxy cannot serve there.
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      squatter.once('error', reject);
      squatter.bind({ address: '127.0.0.77', port: 53, exclusive: true }, () => resolve());
    });
    try {
      const args = ['up', '--data-dir', join(home, 'data-busy'), '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--nodes', '0'];
      args.push('--cluster-dns', '127.0.0.77', '--dns-upstream', 'none');
      const { proc, out } = await startUp(args);
      const code = proc.exitCode ?? (await new Promise<number | null>((r) => proc.once('exit', (c) => r(c))));
      expect(code, out()).toBe(1);
      expect(out()).toMatch(/error: cannot serve the cluster DNS on 127\.0\.0\.77:53 \(cannot serve DNS on 127\.0\.0\.77:53: .*EADDRINUSE/);
      expect(out()).not.toContain('Shoal is up');
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
  }, 60_000);
});
