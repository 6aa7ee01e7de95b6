// A ClusterIP outside 127/8, reached from inside a pod and from the node, with real Docker
// pods: API server, scheduler, controllers, one node agent (Docker driver) and the proxy, all
// in this process. The proxy puts the ClusterIP on its dummy interface (root; here one of this
// test's own, IFACE, not the default shoal-svc) and listens on it; a pod reaches it through its
// default route (the bridge's host side), as local delivery on this host.
//
// The service CIDR is 198.18.0.0/24 (RFC 2544's benchmarking range, never routed): every
// ClusterIP is an address this test's proxy puts on this host, so no packet leaves it. Other
// docker tests use other ranges (the DNS test 198.18.1.0/24) and other interfaces, so files
// running in parallel share neither an address nor an interface (a proxy owns its interface:
// services/proxy/addresses.ts).
//
// Traffic rule: nothing may be sent to an address of this range that is not on this host. The
// test installs an `unreachable` route for the range while it runs, so a packet for an address
// the proxy has not (or no longer) put on shoal-svc, from the node or from a pod, is rejected by
// this host instead of following the default route. Addresses on shoal-svc are in the local
// routing table, which the kernel consults first, so they are still delivered locally.
import Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../lib/kinds.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { Service__Output } from '../lib/gen/shoal/v1/Service.js';
import type { ProxyHandle } from '../services/proxy/index.js';
import { eventually, startTestCluster, type TestCluster } from './harness.js';
import { NS, httpGet, startNodeServices, stopNodeServices, webDeployment, webPods, type NodeServices } from './load.js';
import { collector } from './streams.js';

const run = promisify(execFile);
const NODE = `clusterip-pods-${process.pid}`;
const CIDR = '198.18.0.0/24';
const CIDR_PREFIX = '198.18.0.';
const LB_IP = '127.0.0.96';
const IFACE = 'shoal-t-cip';
/** In the CIDR but beyond what two Services get: an address a crashed proxy left behind. */
const STALE_IP = '198.18.0.250';

function service(name: string, port: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port, targetPort: { strVal: 'http' } }] },
  };
}

/** A pod that only waits, to run wget in; it exits at once on SIGTERM. */
const clientPod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'client', namespace: NS, labels: { app: 'client' } },
  spec: {
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'sh', image: 'shoal/busybox:1.36', command: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'] }],
  },
};

/** The IPv4 addresses on IFACE; [] when the interface does not exist. */
async function dummyAddresses(): Promise<{ exists: boolean; addresses: string[] }> {
  try {
    const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', IFACE]);
    return { exists: true, addresses: [...stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]!) };
  } catch (err) {
    if (/does not exist/.test((err as { stderr?: string }).stderr ?? '')) return { exists: false, addresses: [] };
    throw err;
  }
}

describe('a ClusterIP outside 127/8 with Docker pods', () => {
  let cluster: TestCluster;
  const services: NodeServices = {};
  let proxy: ProxyHandle;
  let clusterIP = '';

  /** Runs wget in the client pod through the API server's exec (as `shoal exec`). */
  async function wgetFromPod(url: string): Promise<{ code: number; out: string; err: string }> {
    const out = collector();
    const err = collector();
    // `timeout` bounds each attempt (Debian's busybox 1.35 wget crashes with its own -T);
    // wget exits 1 on a refused or unreachable connection.
    const code = await cluster.client.exec(NS, 'client', { command: ['timeout', '10', 'wget', '-q', '-O', '-', url], stdout: out.stream, stderr: err.stream });
    return { code, out: out.text().trim(), err: err.text().trim() };
  }

  async function readyWebPods(): Promise<string[]> {
    return (await webPods(cluster.client))
      .filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((p) => p.metadata?.name ?? '')
      .sort();
  }

  beforeAll(async () => {
    await run('ip', ['route', 'replace', 'unreachable', CIDR]);
    cluster = await startTestCluster({ serviceCIDR: CIDR });
    // Left by an earlier run that crashed: the proxy sweeps it (it is no Service's address).
    await run('ip', ['link', 'add', IFACE, 'type', 'dummy'])
      .catch(() => run('ip', ['link', 'add', IFACE, 'type', 'bridge']))
      .catch(() => undefined); // there already
    await run('ip', ['addr', 'replace', `${STALE_IP}/32`, 'dev', IFACE]);
    ({ proxy } = await startNodeServices(cluster, { node: NODE, driver: 'docker', loadBalancerIP: LB_IP, clusterIPInterface: IFACE }, services));
    await cluster.client.create(webDeployment(2));
    await cluster.client.create(clientPod);
    await cluster.client.create(service('web', 80));
    clusterIP = ((await cluster.client.get('Service', NS, 'web')) as Service__Output).spec?.clusterIP ?? '';
    await eventually(async () => (await readyWebPods()).length === 2, '2 ready web pods', 60_000);
    await eventually(
      async () => ((await cluster.client.get('Pod', NS, 'client')) as Pod__Output).status?.phase === 'Running',
      'the client pod running',
      60_000,
    );
  }, 150_000);

  afterAll(async () => {
    await cluster?.client.delete('Pod', NS, 'client', { gracePeriodSeconds: 0 }).catch(() => undefined);
    await stopNodeServices(cluster, services, async () => {
      const docker = new Docker();
      for (const c of await docker.listContainers({ all: true, filters: { label: [`io.shoal.node=${NODE}`] } })) {
        await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
      }
    });
    await run('ip', ['link', 'del', IFACE]).catch(() => undefined);
    await run('ip', ['route', 'del', 'unreachable', CIDR]).catch(() => undefined);
  }, 90_000);

  it('at start the proxy swept the address no Service has off its interface', async () => {
    expect((await dummyAddresses()).addresses).not.toContain(STALE_IP);
  });

  it('the ClusterIP comes from the service CIDR and the proxy puts it on its interface', async () => {
    expect(clusterIP.startsWith(CIDR_PREFIX)).toBe(true);
    await eventually(async () => (await dummyAddresses()).addresses.includes(clusterIP), `${clusterIP} on ${IFACE}`, 20_000);
    await eventually(() => proxy.listeners().some((l) => l.address === clusterIP && l.port === 80 && l.kind === 'ClusterIP'), 'the ClusterIP listener', 20_000);
  }, 30_000);

  it('a pod reaches the ClusterIP, and it balances over both web pods', async () => {
    const pods = await readyWebPods();
    await eventually(() => proxy.endpoints(`${NS}/web:http`).length === 2, 'the proxy to see 2 endpoints', 20_000);
    const seen = new Set<string>();
    let last = { code: -1, out: '', err: '' };
    await eventually(
      async () => {
        last = await wgetFromPod(`http://${clusterIP}:80/index.html`);
        if (last.code === 0) seen.add(last.out);
        return seen.size === 2;
      },
      'answers from both web pods inside the client pod',
      45_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; the last wget: ${JSON.stringify(last)}`);
    });
    expect([...seen].sort()).toEqual(pods.map((p) => `web ${p}`));
  }, 60_000);

  it('the node reaches the ClusterIP too', async () => {
    const a = await httpGet(clusterIP, 80);
    expect(a.status).toBe(200);
    expect(a.body).toMatch(/^web web-/);
  });

  it('deleting the Service removes its address from the interface; neither the pod nor the node reaches it then', async () => {
    await cluster.client.delete('Service', NS, 'web');
    await eventually(async () => !(await dummyAddresses()).addresses.includes(clusterIP), `${clusterIP} gone from ${IFACE}`, 20_000);
    expect(proxy.listeners().some((l) => l.address === clusterIP)).toBe(false);
    const after = await wgetFromPod(`http://${clusterIP}:80/index.html`);
    expect(after.code).not.toBe(0);
    await expect(httpGet(clusterIP, 80)).rejects.toThrow();
  }, 40_000);

  it('stopping the proxy removes every address it added, and its interface', async () => {
    await cluster.client.create(service('again', 8080));
    const ip = ((await cluster.client.get('Service', NS, 'again')) as Service__Output).spec?.clusterIP ?? '';
    expect(ip.startsWith(CIDR_PREFIX)).toBe(true);
    await eventually(() => proxy.listeners().some((l) => l.address === ip && l.port === 8080), 'the second ClusterIP listener', 20_000);
    expect((await dummyAddresses()).addresses).toContain(ip);
    await proxy.stop();
    expect(await dummyAddresses()).toEqual({ exists: false, addresses: [] });
  }, 40_000);
});
