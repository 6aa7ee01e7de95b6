// Requests per second and p50/p99 latency through the Shoal proxy, next to one backend hit
// directly and HAProxy 2.6 balancing the same three backends, same wrk settings, one run.
// Everything is on loopback: backends are small Node HTTP servers (child processes) on
// 127.0.0.41-43, the Shoal proxy serves a ClusterIP Service on 127.96.0.10, HAProxy listens on
// 127.0.0.50. Both proxies work at layer 4 (HAProxy in `mode tcp`), round-robin.
//
// Two passes: keep-alive (wrk's default: long connections, measures forwarding), and a new
// connection per request (`Connection: close`: measures accept + upstream connect).
// HAProxy runs with 1 thread (like the single-threaded Node proxy) and with 2 (this machine's
// cores).
//
// Needs `wrk` and `haproxy` (Debian packages). Run: npx tsx bench/proxy.ts [seconds] [connections]
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShoalClient } from '../lib/client.js';
import { freePort, startNatsServer } from '../lib/natsd.js';
import { startApiServer } from '../services/api/server.js';
import { startProxy } from '../services/proxy/index.js';
import { table } from './common.js';

const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const THREADS = 2;
const TOKEN = 'bench-token';
const BACKEND_IPS = ['127.0.0.41', '127.0.0.42', '127.0.0.43'];
const BACKEND_PORT = 18080;
const VIP = '127.96.0.10';
const HAPROXY_IP = '127.0.0.50';
const HAPROXY_PORT = 18090;

// A backend: answers every request with a short body, keep-alive as clients ask.
const BACKEND_CODE = `
const http = require('node:http');
const body = Buffer.from('hello from ' + process.env.IP + '\\n');
const s = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length }); res.end(body); });
s.keepAliveTimeout = 65000;
s.listen(Number(process.env.PORT), process.env.IP, () => console.log('ready'));
`;

interface Child {
  child: ChildProcess;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
}

async function startBackend(ip: string): Promise<Child> {
  const child = spawn(process.execPath, ['-e', BACKEND_CODE], { env: { ...process.env, IP: ip, PORT: String(BACKEND_PORT) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`backend ${ip} exited with ${code}`)));
  });
  return { child, stop: stopper(child) };
}

async function waitForPort(host: string, port: number, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = netConnect(port, host);
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startHaproxy(dir: string, threads: number): Promise<Child> {
  const cfg = [
    'global',
    `  nbthread ${threads}`,
    '  maxconn 4000',
    'defaults',
    '  mode tcp',
    '  timeout connect 3s',
    '  timeout client 60s',
    '  timeout server 60s',
    `listen web`,
    `  bind ${HAPROXY_IP}:${HAPROXY_PORT}`,
    '  balance roundrobin',
    ...BACKEND_IPS.map((ip, i) => `  server b${i} ${ip}:${BACKEND_PORT}`),
    '',
  ].join('\n');
  const file = join(dir, `haproxy-${threads}.cfg`);
  await writeFile(file, cfg);
  const child = spawn('haproxy', ['-f', file, '-db'], { stdio: ['ignore', 'ignore', 'inherit'] });
  child.once('error', (err) => console.error(`haproxy: ${err.message}`));
  const exited = once(child, 'exit').then(() => {
    throw new Error('haproxy exited');
  });
  await Promise.race([waitForPort(HAPROXY_IP, HAPROXY_PORT, 'haproxy'), exited]);
  exited.catch(() => {});
  return { child, stop: stopper(child) };
}

interface WrkResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
}

/** "1.23ms" / "456.00us" / "1.02s" → ms. */
function toMs(v: string): number {
  const m = v.match(/^([\d.]+)(us|ms|s|m)$/);
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

async function wrk(url: string, close: boolean): Promise<WrkResult> {
  const args = ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${SECONDS}s`, '--latency', '--timeout', '5s'];
  if (close) args.push('-H', 'Connection: close');
  args.push(url);
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), (SECONDS + 30) * 1000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(killer);
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${out}`);
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? NaN);
  const p50 = toMs(out.match(/^\s+50%\s+(\S+)/m)?.[1] ?? '');
  const p99 = toMs(out.match(/^\s+99%\s+(\S+)/m)?.[1] ?? '');
  const sock = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const errors = (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + non2xx;
  return { rps, p50ms: p50, p99ms: p99, errors };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-bench-proxy-'));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const backends = await Promise.all(BACKEND_IPS.map((ip) => startBackend(ip)));
    cleanups.push(...backends.map((b) => () => b.stop()));

    // The control plane, only to feed the proxy its Service and Endpoints.
    const nats = await startNatsServer({ port: await freePort(), storeDir: join(dir, 'nats') });
    cleanups.push(() => nats.stop());
    const api = await startApiServer({
      dataDir: join(dir, 'api'),
      listen: '127.0.0.1:0',
      natsUrl: nats.url,
      tokens: { [TOKEN]: { user: 'admin', groups: ['system:masters'] } },
      serviceCIDR: '127.96.0.0/16',
    });
    cleanups.push(() => api.stop());
    const client = new ShoalClient({ server: api.address, token: TOKEN });
    cleanups.push(() => Promise.resolve(client.close()));
    await client.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bench', namespace: 'default' },
      spec: { clusterIP: VIP, ports: [{ port: 80, protocol: 'TCP', targetPort: { intVal: BACKEND_PORT } }] },
    });
    await client.create({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'bench', namespace: 'default' },
      subsets: [{ addresses: BACKEND_IPS.map((ip) => ({ ip })), ports: [{ port: BACKEND_PORT, protocol: 'TCP' }] }],
    });
    const quiet = { info: () => {}, warn: (m: string) => console.error(m) };
    const proxy = await startProxy({ server: api.address, token: TOKEN, natsUrl: nats.url, nodeAddresses: ['127.0.0.1'], logger: quiet });
    cleanups.push(() => proxy.stop());
    await proxy.ready;
    const deadline = Date.now() + 10_000;
    while (proxy.endpoints('default/bench:80').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await waitForPort(VIP, 80, 'the Shoal proxy');

    const targets: { name: string; url: string; before?: () => Promise<Child> }[] = [
      { name: 'one backend, direct', url: `http://${BACKEND_IPS[0]}:${BACKEND_PORT}/` },
      { name: 'Shoal proxy (Node, 1 thread)', url: `http://${VIP}:80/` },
      { name: 'HAProxy 2.6, 1 thread', url: `http://${HAPROXY_IP}:${HAPROXY_PORT}/`, before: () => startHaproxy(dir, 1) },
      { name: 'HAProxy 2.6, 2 threads', url: `http://${HAPROXY_IP}:${HAPROXY_PORT}/`, before: () => startHaproxy(dir, 2) },
    ];
    console.log(`wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s, 3 Node backends on loopback, ${new Date().toISOString()}`);
    for (const close of [false, true]) {
      const rows: (string | number)[][] = [['target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'req/s vs direct', 'req/s vs HAProxy-1t', 'p99 vs HAProxy-1t']];
      const results: WrkResult[] = [];
      for (const t of targets) {
        const extra = t.before ? await t.before() : undefined;
        try {
          results.push(await wrk(t.url, close));
        } finally {
          await extra?.stop();
        }
      }
      const direct = results[0]!;
      const ha1 = results[2]!;
      targets.forEach((t, i) => {
        const r = results[i]!;
        rows.push([
          t.name,
          Math.round(r.rps),
          r.p50ms.toFixed(2),
          r.p99ms.toFixed(2),
          r.errors,
          (r.rps / direct.rps).toFixed(2),
          (r.rps / ha1.rps).toFixed(2),
          (r.p99ms / ha1.p99ms).toFixed(2),
        ]);
      });
      console.log(`\n${close ? 'new connection per request (Connection: close)' : 'keep-alive connections'}`);
      console.log(table(rows));
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
