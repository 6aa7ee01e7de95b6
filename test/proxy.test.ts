// The proxy against a real API server and NATS, with hand-made Endpoints pointing at HTTP and
// TCP servers this test starts on loopback. Every address here is in 127.0.0.0/8: ClusterIPs in
// 127.96.x.y, the node address 127.0.0.1, the LoadBalancer pool 127.0.0.77-78, backends on
// 127.0.0.1x.
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, request, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../lib/kinds.js';
import type { Service__Output } from '../lib/gen/shoal/v1/Service.js';
import {
  Balancer,
  EndpointHealth,
  ForwardedForInjector,
  chooseLoadBalancerAddresses,
  planService,
  proxyProtocolV1,
  startProxy,
  type Endpoint,
  type ProxyHandle,
} from '../services/proxy/index.js';
import { TEST_TOKEN, eventually, startTestCluster, tempDir, type TestCluster } from './harness.js';

const quiet = { info: () => {}, warn: () => {} };
const NS = 'default';
// A per-run /16 third octet and NodePort base, so parallel runs do not collide.
const OCTET = 1 + (process.pid % 250);
const NODE_PORT_BASE = 30000 + ((process.pid * 7) % 2500);
const vip = (n: number): string => `127.96.${OCTET}.${n}`;

// ---- backends ----

interface Backend {
  name: string;
  ip: string;
  port: number;
  hits: number;
  /** X-Forwarded-For headers seen. */
  xff: (string | undefined)[];
  close(): Promise<void>;
}

async function httpBackend(name: string, ip: string): Promise<Backend> {
  const b: Backend = { name, ip, port: 0, hits: 0, xff: [], close: async () => {} };
  const server: HttpServer = createHttpServer((req, res) => {
    b.hits++;
    b.xff.push(req.headers['x-forwarded-for'] as string | undefined);
    res.setHeader('x-backend', name);
    res.end(name);
  });
  server.listen(0, ip);
  await once(server, 'listening');
  b.port = (server.address() as { port: number }).port;
  b.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return b;
}

/** A TCP server that answers every chunk with "<name>:<chunk>". */
async function echoBackend(name: string, ip: string): Promise<Backend & { server: Server }> {
  const server = createServer((s) => s.on('data', (d) => s.write(`${name}:${d.toString()}`)).on('error', () => {}));
  server.listen(0, ip);
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    name,
    ip,
    port,
    hits: 0,
    xff: [],
    server,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A port on `ip` that nothing listens on (connects are refused). */
async function closedPort(ip: string): Promise<number> {
  const s = createServer();
  s.listen(0, ip);
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Reply {
  status: number;
  body: string;
  headers: IncomingHttpHeaders;
}

/** One HTTP request on its own connection (no keep-alive), optionally from `localAddress`. */
function get(host: string, port: number, localAddress?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false, localAddress, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** A TCP client that sends `msg` and resolves with the first reply. */
function exchange(sock: Socket, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    sock.once('data', (d) => resolve(d.toString()));
    sock.once('error', reject);
    sock.write(msg);
  });
}

async function openConn(host: string, port: number): Promise<Socket> {
  const s = connect({ host, port });
  await once(s, 'connect');
  return s;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// ---- objects ----

interface PortSpec {
  name?: string;
  port: number;
  nodePort?: number;
}

function service(name: string, spec: Record<string, unknown> & { ports: PortSpec[] }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: { ...spec, ports: spec.ports.map((p) => ({ protocol: 'TCP', ...p })) },
  };
}

function endpointsObj(name: string, backends: { ip: string; port: number; nodeName?: string }[], portName?: string): KubeObject {
  // One subset per backend port (each test backend has its own ephemeral port).
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: NS },
    subsets: backends.map((b) => ({
      addresses: [{ ip: b.ip, ...(b.nodeName ? { nodeName: b.nodeName } : {}) }],
      ports: [{ port: b.port, protocol: 'TCP', ...(portName ? { name: portName } : {}) }],
    })),
  };
}

async function putEndpoints(cluster: TestCluster, obj: KubeObject): Promise<void> {
  try {
    const cur = await cluster.client.get('Endpoints', NS, obj.metadata!.name!);
    await cluster.client.update({ ...obj, metadata: { ...obj.metadata, resourceVersion: cur.metadata?.resourceVersion } });
  } catch {
    await cluster.client.create(obj);
  }
}

function bodies(replies: Reply[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replies) out[r.body] = (out[r.body] ?? 0) + 1;
  return out;
}

async function sequential(n: number, fn: () => Promise<Reply>): Promise<Reply[]> {
  const out: Reply[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}

function listening(proxy: ProxyHandle, address: string, port: number): boolean {
  return proxy.listeners().some((l) => l.address === address && l.port === port);
}

async function metricsText(proxy: ProxyHandle): Promise<string> {
  const res = await fetch(`http://${proxy.metricsAddress}/metrics`);
  return res.text();
}

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

// ---- unit tests ----

describe('proxy units', () => {
  const ep = (n: number): Endpoint => ({ ip: `127.0.0.${n}`, port: 80, key: `127.0.0.${n}:80` });

  it('round-robin skips ejected endpoints and comes back to them after the back-off', () => {
    let now = 1000;
    const health = new EndpointHealth({ initialEjectMs: 1000, now: () => now });
    const b = new Balancer(health, { balance: 'round-robin' });
    b.setEndpoints([ep(1), ep(2), ep(3)]);
    expect([0, 1, 2, 3, 4, 5].map(() => b.pick('c')!.ip)).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.1', '127.0.0.2', '127.0.0.3']);
    expect(health.fail(ep(2).key)).toBe(1000);
    const picks = [0, 1, 2, 3].map(() => b.pick('c')!.ip);
    expect(picks).not.toContain('127.0.0.2');
    now += 1001;
    expect([0, 1, 2].map(() => b.pick('c')!.ip)).toContain('127.0.0.2');
    // Failing again doubles the back-off; success resets it.
    expect(health.fail(ep(2).key)).toBe(2000);
    health.ok(ep(2).key);
    expect(health.fail(ep(2).key)).toBe(1000);
    // Everything ejected: the one whose ejection ends first is still tried.
    health.fail(ep(1).key);
    health.fail(ep(3).key);
    expect(b.pick('c')).toBeDefined();
    // Endpoints already tried for this connection are skipped.
    expect(b.pick('c', new Set([ep(1).key, ep(2).key, ep(3).key]))).toBeUndefined();
  });

  it('least-connections picks the idlest endpoint', () => {
    const health = new EndpointHealth();
    const b = new Balancer(health, { balance: 'least-connections' });
    b.setEndpoints([ep(1), ep(2), ep(3)]);
    const done1 = health.track(ep(1).key);
    health.track(ep(1).key);
    health.track(ep(2).key);
    expect(b.pick('c')!.ip).toBe('127.0.0.3');
    health.track(ep(3).key);
    expect(b.pick('c')!.ip).not.toBe('127.0.0.1');
    done1();
    done1(); // idempotent
    expect(health.activeConnections(ep(1).key)).toBe(1);
  });

  it('ClientIP affinity pins a client until its timeout, and moves it off a removed endpoint', () => {
    let now = 0;
    const health = new EndpointHealth({ now: () => now });
    const b = new Balancer(health, { balance: 'round-robin', affinityTimeoutMs: 10_000 });
    b.setEndpoints([ep(1), ep(2), ep(3)]);
    const first = b.pick('10.0.0.1')!.key;
    for (let i = 0; i < 5; i++) expect(b.pick('10.0.0.1')!.key).toBe(first);
    expect(b.pick('10.0.0.2')!.key).not.toBe(first);
    b.setEndpoints([ep(1), ep(2), ep(3)].filter((e) => e.key !== first));
    const moved = b.pick('10.0.0.1')!.key;
    expect(moved).not.toBe(first);
    now += 20_000;
    b.setEndpoints([ep(1), ep(2), ep(3)]);
    // Expired: chosen afresh (round-robin), not necessarily the old pin.
    expect(b.pick('10.0.0.1')).toBeDefined();
  });

  it('plans listeners per service type, matches endpoint ports by name, honours headless', () => {
    const svc = (type: string, clusterIP: string): Service__Output => ({
      metadata: { namespace: 'ns', name: 'web' },
      spec: { type, clusterIP, ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] },
    });
    const eps = {
      subsets: [
        { addresses: [{ ip: '127.1.0.1', nodeName: 'a' }], notReadyAddresses: [{ ip: '127.1.0.9' }], ports: [{ name: 'http', port: 8080 }, { name: 'other', port: 9 }] },
      ],
    };
    const opts = { nodeAddresses: ['127.0.0.1'], loadBalancerAddresses: ['127.0.0.77'] };
    const lb = planService(svc('LoadBalancer', '127.96.0.1'), eps, opts);
    expect(lb.listeners.map((l) => `${l.kind} ${l.address}:${l.port}`)).toEqual([
      'ClusterIP 127.96.0.1:80',
      'NodePort 127.0.0.1:30080',
      'LoadBalancer 127.0.0.77:80',
    ]);
    expect(lb.ports[0]!.endpoints).toEqual([{ ip: '127.1.0.1', port: 8080, key: '127.1.0.1:8080', nodeName: 'a' }]);
    expect(lb.skipped).toEqual(['dns/UDP: only TCP is proxied']);
    expect(planService(svc('ClusterIP', 'None'), eps, opts).listeners).toEqual([]);
    expect(planService(svc('ClusterIP', '127.96.0.1'), eps, opts).listeners.map((l) => l.kind)).toEqual(['ClusterIP']);
  });

  it('chooses LoadBalancer addresses: kept from status, free port first, all node addresses by default', () => {
    const lbSvc = (name: string, port: number, ingress: string[] = []): Service__Output => ({
      metadata: { namespace: 'ns', name },
      spec: { type: 'LoadBalancer', ports: [{ port }] },
      status: { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } },
    });
    const pool = { pool: ['127.0.0.77', '127.0.0.78'], poolIsNodeAddresses: false };
    const a = lbSvc('a', 80, ['127.0.0.77']);
    expect(chooseLoadBalancerAddresses(lbSvc('b', 80), [a], pool)).toEqual(['127.0.0.78']);
    expect(chooseLoadBalancerAddresses(lbSvc('b', 81), [a], pool)).toEqual(['127.0.0.77']);
    expect(chooseLoadBalancerAddresses(lbSvc('b', 80, ['127.0.0.78']), [a], pool)).toEqual(['127.0.0.78']);
    expect(chooseLoadBalancerAddresses(lbSvc('c', 80), [a, lbSvc('b', 80, ['127.0.0.78'])], pool)).toEqual([]);
    expect(chooseLoadBalancerAddresses(lbSvc('b', 80), [a], { pool: ['127.0.0.1', '127.0.0.2'], poolIsNodeAddresses: true })).toEqual([
      '127.0.0.1',
      '127.0.0.2',
    ]);
  });

  it('builds PROXY v1 lines and injects X-Forwarded-For into the first request head only', async () => {
    expect(proxyProtocolV1('::ffff:127.0.0.5', 40000, '127.96.0.1', 80)).toBe('PROXY TCP4 127.0.0.5 127.96.0.1 40000 80\r\n');
    expect(proxyProtocolV1('::1', 1, '::1', 2)).toBe('PROXY TCP6 ::1 ::1 1 2\r\n');
    expect(proxyProtocolV1('', 0, '127.0.0.1', 80)).toBe('PROXY UNKNOWN\r\n');

    const run = async (chunks: string[]): Promise<string> => {
      const t = new ForwardedForInjector('127.0.0.5');
      const out: Buffer[] = [];
      t.on('data', (d: Buffer) => out.push(d));
      for (const c of chunks) t.write(c);
      t.end();
      await once(t, 'end');
      return Buffer.concat(out).toString();
    };
    expect(await run(['GET / HTTP/1.1\r\nHost: x\r\n', '\r\nGET /2 HTTP/1.1\r\n\r\n'])).toBe(
      'GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 127.0.0.5\r\n\r\nGET /2 HTTP/1.1\r\n\r\n',
    );
    expect(await run(['POST / HTTP/1.1\r\nX-Forwarded-For: 10.0.0.1\r\n\r\nbody'])).toBe(
      'POST / HTTP/1.1\r\nX-Forwarded-For: 10.0.0.1, 127.0.0.5\r\n\r\nbody',
    );
    expect(await run(['\x16\x03\x01 not http\r\n\r\n'])).toBe('\x16\x03\x01 not http\r\n\r\n');
    // A client that speaks first in small non-HTTP messages is passed through at once.
    const t = new ForwardedForInjector('127.0.0.5');
    const first = once(t, 'data');
    t.write('ping');
    expect(String((await first)[0])).toBe('ping');
    t.end();
  });
});

// ---- against a real API server ----

describe('proxy (real API server and NATS, loopback backends)', () => {
  let cluster: TestCluster;
  let proxy: ProxyHandle;
  let logDir: { dir: string; cleanup: () => Promise<void> };
  const backends: Backend[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster({ serviceCIDR: '127.96.0.0/16' });
    logDir = await tempDir('shoal-proxy-');
    for (let i = 0; i < 3; i++) backends.push(await httpBackend(`b${i}`, `127.0.0.${11 + i}`));
    proxy = await startProxy({
      server: cluster.api.address,
      token: TEST_TOKEN,
      natsUrl: cluster.nats.url,
      nodeName: 'node-a',
      nodeAddresses: ['127.0.0.1'],
      loadBalancerPool: ['127.0.0.77', '127.0.0.78'],
      accessLog: join(logDir.dir, 'access.log'),
      metricsListen: '127.0.0.1:0',
      ejectInitialMs: 1000,
      logger: quiet,
    });
    await proxy.ready;
  }, 30_000);

  afterAll(async () => {
    await proxy?.stop();
    for (const b of backends) await b.close();
    await cluster?.stop();
    await logDir?.cleanup();
  });

  it('ClusterIP answers on clusterIP:port, round-robin over the endpoints', async () => {
    await cluster.client.create(service('web', { clusterIP: vip(10), ports: [{ name: 'http', port: 80 }] }));
    await putEndpoints(cluster, endpointsObj('web', backends, 'http'));
    await eventually(() => proxy.endpoints(`${NS}/web:http`).length === 3, 'web endpoints');
    expect(listening(proxy, vip(10), 80)).toBe(true);
    for (const b of backends) b.hits = 0;
    const replies = await sequential(30, () => get(vip(10), 80));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(bodies(replies)).toEqual({ b0: 10, b1: 10, b2: 10 });
    // Not on a node address: a ClusterIP service has no NodePort.
    expect(proxy.listeners().filter((l) => l.service === `${NS}/web`).map((l) => l.kind)).toEqual(['ClusterIP']);
  });

  it('NodePort answers on the node address and the ClusterIP; headless gets no listener', async () => {
    const nodePort = NODE_PORT_BASE + 1;
    await cluster.client.create(service('np', { type: 'NodePort', clusterIP: vip(11), ports: [{ port: 80, nodePort }] }));
    await putEndpoints(cluster, endpointsObj('np', backends.slice(0, 2)));
    await eventually(() => listening(proxy, '127.0.0.1', nodePort) && proxy.endpoints(`${NS}/np:80`).length === 2, 'np listeners');
    const viaNode = await sequential(4, () => get('127.0.0.1', nodePort));
    expect(bodies(viaNode)).toEqual({ b0: 2, b1: 2 });
    expect((await get(vip(11), 80)).status).toBe(200);

    await cluster.client.create(service('headless', { clusterIP: 'None', ports: [{ port: 80 }] }));
    await putEndpoints(cluster, endpointsObj('headless', backends.slice(0, 1)));
    await eventually(() => proxy.endpoints(`${NS}/headless:80`).length === 1, 'headless endpoints');
    expect(proxy.listeners().filter((l) => l.service === `${NS}/headless`)).toEqual([]);
  });

  it('LoadBalancer answers on its pool address, writes status, logs access', async () => {
    const nodePort = NODE_PORT_BASE + 2;
    await cluster.client.create(service('lb', { type: 'LoadBalancer', clusterIP: vip(12), ports: [{ name: 'web', port: 8081, nodePort }] }));
    await putEndpoints(cluster, endpointsObj('lb', backends, 'web'));
    let svc: Service__Output | undefined;
    await eventually(async () => {
      svc = (await cluster.client.get('Service', NS, 'lb')) as Service__Output;
      return (svc.status?.loadBalancer?.ingress?.length ?? 0) > 0;
    }, 'lb status');
    expect(svc!.status!.loadBalancer!.ingress!.map((i) => i.ip)).toEqual(['127.0.0.77']);
    await eventually(() => listening(proxy, '127.0.0.77', 8081) && proxy.endpoints(`${NS}/lb:web`).length === 3, 'lb listener');
    const replies = await sequential(6, () => get('127.0.0.77', 8081, '127.0.0.5'));
    expect(bodies(replies)).toEqual({ b0: 2, b1: 2, b2: 2 });
    expect((await get('127.0.0.1', nodePort)).status).toBe(200);
    expect((await get(vip(12), 8081)).status).toBe(200);

    // A second LoadBalancer on the same port gets the next pool address.
    await cluster.client.create(service('lb2', { type: 'LoadBalancer', clusterIP: vip(13), ports: [{ name: 'web', port: 8081, nodePort: nodePort + 1 }] }));
    await putEndpoints(cluster, endpointsObj('lb2', backends.slice(2), 'web'));
    await eventually(async () => {
      const s = (await cluster.client.get('Service', NS, 'lb2')) as Service__Output;
      return s.status?.loadBalancer?.ingress?.[0]?.ip === '127.0.0.78';
    }, 'lb2 status');
    await eventually(() => listening(proxy, '127.0.0.78', 8081) && proxy.endpoints(`${NS}/lb2:web`).length === 1, 'lb2 listener');
    expect((await get('127.0.0.78', 8081)).body).toBe('b2');

    // Access log: one JSON line per LoadBalancer connection, none for NodePort/ClusterIP.
    let lines: Record<string, unknown>[] = [];
    await eventually(async () => {
      const text = await readFile(join(logDir.dir, 'access.log'), 'utf8').catch(() => '');
      lines = text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      return lines.length >= 7;
    }, 'access log lines');
    expect(lines.length).toBe(7);
    const first = lines[0]!;
    expect(first).toMatchObject({ service: `${NS}/lb`, port: 'web', kind: 'LoadBalancer', listener: '127.0.0.77:8081', result: 'ok', attempts: 1 });
    expect(String(first.client)).toMatch(/^127\.0\.0\.5:\d+$/);
    expect(backends.map((b) => `${b.ip}:${b.port}`)).toContain(first.endpoint);
    expect(first.bytesIn as number).toBeGreaterThan(20);
    expect(first.bytesOut as number).toBeGreaterThan(20);
    expect(typeof first.durationMs).toBe('number');
    expect(typeof first.ts).toBe('string');
  });

  it('a dead endpoint is ejected and its connections move on: 0 client failures', async () => {
    const dead = await closedPort('127.0.0.19');
    const nodePort = NODE_PORT_BASE + 4;
    await cluster.client.create(service('flaky', { type: 'NodePort', clusterIP: vip(14), ports: [{ port: 80, nodePort }] }));
    await putEndpoints(cluster, endpointsObj('flaky', [{ ip: '127.0.0.19', port: dead }, ...backends.slice(0, 2)]));
    await eventually(() => proxy.endpoints(`${NS}/flaky:80`).length === 3 && listening(proxy, '127.0.0.1', nodePort), 'flaky endpoints');
    const before = metricValue(await metricsText(proxy), 'shoal_proxy_endpoint_errors_total', `service="${NS}/flaky"`);
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => get(vip(14), 80)));
    const failed = results.filter((r) => r.status === 'rejected' || r.value.status !== 200);
    expect(failed).toEqual([]);
    const ok = results.map((r) => (r.status === 'fulfilled' ? r.value.body : ''));
    expect(new Set(ok)).toEqual(new Set(['b0', 'b1']));
    const errors = metricValue(await metricsText(proxy), 'shoal_proxy_endpoint_errors_total', `service="${NS}/flaky"`);
    expect(Number.isNaN(before) ? 0 : before).toBe(0);
    // Ejected after the first refusals: far fewer errors than the ~13 a third of 40 would give.
    expect(errors).toBeGreaterThanOrEqual(1);
    expect(errors).toBeLessThan(10);
  });

  it('ClientIP affinity pins each client address to one endpoint', async () => {
    await cluster.client.create(
      service('sticky', { clusterIP: vip(15), sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] }),
    );
    await putEndpoints(cluster, endpointsObj('sticky', backends));
    await eventually(() => proxy.endpoints(`${NS}/sticky:80`).length === 3, 'sticky endpoints');
    const seen = new Set<string>();
    for (const client of ['127.0.0.5', '127.0.0.6', '127.0.0.7']) {
      const replies = await sequential(8, () => get(vip(15), 80, client));
      expect(Object.keys(bodies(replies))).toHaveLength(1);
      seen.add(replies[0]!.body);
    }
    // Three fresh clients are spread round-robin: each got its own endpoint.
    expect(seen.size).toBe(3);
  });

  it('externalTrafficPolicy Local: NodePort traffic only to this node\'s endpoints, ClusterIP to all', async () => {
    const nodePort = NODE_PORT_BASE + 5;
    await cluster.client.create(service('local', { type: 'NodePort', clusterIP: vip(16), externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort }] }));
    await putEndpoints(
      cluster,
      endpointsObj('local', [
        { ...backends[0]!, nodeName: 'node-a' },
        { ...backends[1]!, nodeName: 'node-b' },
      ]),
    );
    await eventually(() => proxy.endpoints(`${NS}/local:80`).length === 2 && listening(proxy, '127.0.0.1', nodePort), 'local endpoints');
    expect(bodies(await sequential(6, () => get('127.0.0.1', nodePort)))).toEqual({ b0: 6 });
    expect(bodies(await sequential(6, () => get(vip(16), 80)))).toEqual({ b0: 3, b1: 3 });
  });

  it('a removed endpoint drains: its open connection keeps working, new ones go elsewhere', async () => {
    const e1 = await echoBackend('e1', '127.0.0.21');
    const e2 = await echoBackend('e2', '127.0.0.22');
    try {
      await cluster.client.create(service('echo', { clusterIP: vip(17), ports: [{ port: 7000 }] }));
      await putEndpoints(cluster, endpointsObj('echo', [e1, e2]));
      await eventually(() => proxy.endpoints(`${NS}/echo:7000`).length === 2, 'echo endpoints');
      const long = await openConn(vip(17), 7000);
      const first = await exchange(long, 'hello');
      const mine = first.split(':')[0]!;
      const other = mine === 'e1' ? e2 : e1;
      expect(first).toBe(`${mine}:hello`);

      await putEndpoints(cluster, endpointsObj('echo', [other]));
      await eventually(() => proxy.endpoints(`${NS}/echo:7000`).length === 1, 'endpoint removed');
      // Its backend is still alive; the connection to it keeps flowing.
      expect(await exchange(long, 'still')).toBe(`${mine}:still`);
      for (let i = 0; i < 4; i++) {
        const s = await openConn(vip(17), 7000);
        expect(await exchange(s, 'new')).toBe(`${other.name}:new`);
        s.destroy();
      }
      // Another Service changing (and going) does not touch this connection either.
      await cluster.client.delete('Service', NS, 'web');
      await eventually(() => !listening(proxy, vip(10), 80), 'web listener closed');
      expect(await canConnect(vip(10), 80)).toBe(false);
      expect(await exchange(long, 'after')).toBe(`${mine}:after`);
      long.destroy();
    } finally {
      await e1.close();
      await e2.close();
    }
  });

  it('listeners follow Service changes: a port change moves the listener, type changes add/remove NodePorts', async () => {
    const nodePort = NODE_PORT_BASE + 6;
    await cluster.client.create(service('moving', { clusterIP: vip(18), ports: [{ port: 80 }] }));
    await putEndpoints(cluster, endpointsObj('moving', backends.slice(0, 1)));
    await eventually(() => listening(proxy, vip(18), 80) && proxy.endpoints(`${NS}/moving:80`).length === 1, 'moving listener');
    expect((await get(vip(18), 80)).body).toBe('b0');

    const cur = await cluster.client.get('Service', NS, 'moving');
    await cluster.client.update({
      ...cur,
      spec: { ...(cur.spec as object), type: 'NodePort', ports: [{ port: 81, protocol: 'TCP', targetPort: { intVal: 80 }, nodePort }] },
    });
    await eventually(() => listening(proxy, vip(18), 81) && listening(proxy, '127.0.0.1', nodePort) && !listening(proxy, vip(18), 80), 'moved');
    expect(await canConnect(vip(18), 80)).toBe(false);
    expect((await get(vip(18), 81)).body).toBe('b0');
    expect((await get('127.0.0.1', nodePort)).body).toBe('b0');

    await cluster.client.delete('Service', NS, 'moving');
    await eventually(() => proxy.listeners().every((l) => l.service !== `${NS}/moving`), 'moving gone');
    expect(await canConnect('127.0.0.1', nodePort)).toBe(false);
  });

  it('a Service without endpoints resets connections at once', async () => {
    await cluster.client.create(service('empty', { clusterIP: vip(19), ports: [{ port: 80 }] }));
    await eventually(() => listening(proxy, vip(19), 80), 'empty listener');
    await expect(get(vip(19), 80)).rejects.toThrow(/ECONNRESET|socket hang up/);
  });

  it('serves per-service metrics', async () => {
    const text = await metricsText(proxy);
    expect(metricValue(text, 'shoal_proxy_connections_total', `service="${NS}/lb",port="web"`)).toBeGreaterThanOrEqual(6);
    expect(metricValue(text, 'shoal_proxy_bytes_total', `service="${NS}/lb",direction="in"`)).toBeGreaterThan(0);
    expect(metricValue(text, 'shoal_proxy_bytes_total', `service="${NS}/lb",direction="out"`)).toBeGreaterThan(0);
    expect(metricValue(text, 'shoal_proxy_active_connections', `service="${NS}/lb"`)).toBe(0);
    expect(metricValue(text, 'shoal_proxy_upstream_connect_seconds_count', `service="${NS}/lb"`)).toBeGreaterThanOrEqual(6);
    expect(text).toContain('shoal_proxy_endpoint_errors_total{service="default/flaky"}');
  });
});

describe('proxy options (least-connections, X-Forwarded-For)', () => {
  let cluster: TestCluster;
  let proxy: ProxyHandle;
  const backends: Backend[] = [];
  let hold: Backend & { server: Server };

  beforeAll(async () => {
    cluster = await startTestCluster({ serviceCIDR: '127.96.0.0/16' });
    for (let i = 0; i < 2; i++) backends.push(await httpBackend(`x${i}`, `127.0.0.${31 + i}`));
    hold = await echoBackend('hold', '127.0.0.33');
    proxy = await startProxy({
      server: cluster.api.address,
      token: TEST_TOKEN,
      natsUrl: cluster.nats.url,
      nodeName: 'node-a',
      nodeAddresses: ['127.0.0.1'],
      balance: 'least-connections',
      xForwardedFor: true,
      logger: quiet,
    });
    await proxy.ready;
  }, 30_000);

  afterAll(async () => {
    await proxy?.stop();
    for (const b of backends) await b.close();
    await hold?.close();
    await cluster?.stop();
  });

  it('least-connections keeps new connections off a busy endpoint; X-Forwarded-For carries the client', async () => {
    // The echo backend speaks no HTTP, but a held connection to it is what makes it "busy".
    await cluster.client.create(service('lc', { clusterIP: vip(40), ports: [{ port: 80 }] }));
    await putEndpoints(cluster, endpointsObj('lc', [hold, ...backends]));
    await eventually(() => proxy.endpoints(`${NS}/lc:80`).length === 3 && listening(proxy, vip(40), 80), 'lc endpoints');
    // Round-robin with ties: the first connection goes to the first endpoint (hold); keep it open.
    const held = await openConn(vip(40), 80);
    expect(await exchange(held, 'ping')).toBe('hold:ping');
    const replies = await sequential(10, () => get(vip(40), 80, '127.0.0.9'));
    expect(bodies(replies)).toEqual({ x0: 5, x1: 5 });
    expect(backends.flatMap((b) => b.xff)).toEqual(Array(10).fill('127.0.0.9'));
    held.destroy();
  });
});
