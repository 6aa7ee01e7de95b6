// The cluster DNS end to end with real Docker pods: the proxy serves DNS on 198.18.1.200:53
// (put on the proxy's interface, as ClusterIPs are; this test's own, IFACE), the node agent
// gives ClusterFirst pods that server with the Kubernetes search path, and a busybox pod
// resolves Services by name, fetches from them through their ClusterIP, and resolves a name
// outside the cluster through the proxy's upstream.
//
// Addresses: service CIDR 198.18.1.0/25 and the DNS address 198.18.1.200 outside it, all of it
// RFC 2544's benchmarking range (never routed). As in clusterip-pods.test.ts, an `unreachable`
// route for 198.18.1.0/24 while the test runs keeps any packet for an address not on this host
// from leaving it. The pods' own resolver is only the cluster DNS, and its only upstream is a
// fake DNS server this test runs on 127.0.0.1 (test/dns-upstream-fake.ts), so no query leaves
// the host either.
import Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../lib/kinds.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { Service__Output } from '../lib/gen/shoal/v1/Service.js';
import type { ProxyHandle } from '../services/proxy/index.js';
import { eventually, startTestCluster, type TestCluster } from './harness.js';
import { NS, startNodeServices, stopNodeServices, webDeployment, webPods, type NodeServices } from './load.js';
import { collector } from './streams.js';
import { FAKE_ADDRESS, startFakeUpstream, type FakeUpstream } from './dns-upstream-fake.js';

const run = promisify(execFile);
const NODE = `dns-e2e-${process.pid}`;
const GUARD = '198.18.1.0/24';
const SERVICE_CIDR = '198.18.1.0/25';
const DNS_IP = '198.18.1.200';
const LB_IP = '127.0.0.95';
const IFACE = 'shoal-t-dnse2e';

function service(namespace: string, name: string, headless = false): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: {
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: { strVal: 'http' } }],
      ...(headless ? { clusterIP: 'None' } : {}),
    },
  };
}

/** A pod that only waits; `dnsPolicy` as given. */
function waitingPod(name: string, dnsPolicy?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'client' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      ...(dnsPolicy ? { dnsPolicy } : {}),
      containers: [{ name: 'sh', image: 'shoal/busybox:1.36', command: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'] }],
    },
  };
}

async function dummyAddresses(): Promise<string[]> {
  try {
    const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', IFACE]);
    return [...stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]!);
  } catch {
    return [];
  }
}

describe('cluster DNS for Docker pods', () => {
  let cluster: TestCluster;
  const services: NodeServices = {};
  let proxy: ProxyHandle;
  let upstream: FakeUpstream;
  let webIP = '';
  let apiIP = '';

  async function exec(pod: string, command: string[]): Promise<{ code: number; out: string }> {
    const out = collector();
    const code = await cluster.client.exec(NS, pod, { command, stdout: out.stream, stderr: out.stream });
    return { code, out: out.text() };
  }

  /** busybox nslookup in the client pod (bounded by `timeout`): the addresses it printed after
   * the server's own lines, and whether it found the name. */
  async function nslookup(name: string): Promise<{ found: boolean; addresses: string[]; out: string }> {
    const { code, out } = await exec('client', ['timeout', '15', 'nslookup', '-type=a', name]);
    const answer = out.split(/\n\s*\n/).slice(1).join('\n');
    const addresses = [...answer.matchAll(/Address:\s*(\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1]!).sort();
    return { found: code === 0 && addresses.length > 0, addresses, out };
  }

  async function running(name: string): Promise<boolean> {
    return ((await cluster.client.get('Pod', NS, name)) as Pod__Output).status?.phase === 'Running';
  }

  beforeAll(async () => {
    await run('ip', ['route', 'replace', 'unreachable', GUARD]);
    upstream = await startFakeUpstream();
    cluster = await startTestCluster({ serviceCIDR: SERVICE_CIDR });
    ({ proxy } = await startNodeServices(
      cluster,
      { node: NODE, driver: 'docker', loadBalancerIP: LB_IP, clusterDNS: DNS_IP, clusterIPInterface: IFACE, dnsUpstream: [upstream.spec] },
      services,
    ));
    await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    await cluster.client.create(webDeployment(2));
    await cluster.client.create(service(NS, 'web'));
    await cluster.client.create(service(NS, 'web-headless', true));
    await cluster.client.create(service('team-a', 'api'));
    webIP = ((await cluster.client.get('Service', NS, 'web')) as Service__Output).spec?.clusterIP ?? '';
    apiIP = ((await cluster.client.get('Service', 'team-a', 'api')) as Service__Output).spec?.clusterIP ?? '';
    await cluster.client.create(waitingPod('client'));
    await cluster.client.create(waitingPod('host-dns', 'Default'));
    await eventually(async () => (await running('client')) && (await running('host-dns')), 'the client pods running', 60_000);
    await eventually(
      async () => (await webPods(cluster.client)).filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2,
      '2 ready web pods',
      60_000,
    );
  }, 150_000);

  afterAll(async () => {
    for (const p of ['client', 'host-dns']) await cluster?.client.delete('Pod', NS, p, { gracePeriodSeconds: 0 }).catch(() => undefined);
    await stopNodeServices(cluster, services, async () => {
      const docker = new Docker();
      for (const c of await docker.listContainers({ all: true, filters: { label: [`io.shoal.node=${NODE}`] } })) {
        await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
      }
    });
    await upstream?.close();
    await run('ip', ['route', 'del', 'unreachable', GUARD]).catch(() => undefined);
  }, 90_000);

  it('the proxy serves DNS on the cluster DNS address, put on its interface', async () => {
    expect(webIP.startsWith('198.18.1.')).toBe(true);
    await eventually(() => proxy.dnsAddress() === `${DNS_IP}:53`, 'the DNS server', 20_000);
    expect(await dummyAddresses()).toContain(DNS_IP);
  }, 30_000);

  it('a ClusterFirst pod gets the cluster DNS and the search path; a dnsPolicy Default pod keeps the node\'s', async () => {
    // On a user-defined bridge network Docker always writes its embedded resolver (127.0.0.11)
    // as the nameserver, and forwards to the servers the container was created with: the
    // sandbox's, which the app containers share.
    const docker = new Docker();
    const sandboxDns = async (pod: string): Promise<string[]> => {
      const [c] = await docker.listContainers({ all: true, filters: { label: [`io.shoal.node=${NODE}`, `io.shoal.pod.name=${pod}`, 'io.shoal.role=sandbox'] } });
      expect(c, `the sandbox of ${pod}`).toBeDefined();
      return ((await docker.getContainer(c!.Id).inspect()).HostConfig.Dns as string[] | undefined) ?? [];
    };
    expect(await sandboxDns('client')).toEqual([DNS_IP]);
    expect(await sandboxDns('host-dns')).toEqual([]);
    const conf = (await exec('client', ['cat', '/etc/resolv.conf'])).out;
    expect(conf).toMatch(/^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
    expect(conf).toMatch(/^options ndots:5$/m);
    expect(conf).toMatch(new RegExp(`^nameserver (127\\.0\\.0\\.11|${DNS_IP.replace(/\./g, '\\.')})$`, 'm'));
    const hostConf = (await exec('host-dns', ['cat', '/etc/resolv.conf'])).out;
    expect(hostConf).not.toContain('svc.cluster.local');
    expect(hostConf).not.toContain('ndots:5');
  }, 30_000);

  it('a pod resolves NAME.NAMESPACE.svc, the full name, and NAME.NAMESPACE in another namespace to the ClusterIP', async () => {
    await eventually(() => proxy.dnsAddress() !== undefined, 'the DNS server', 20_000);
    for (const [name, ip] of [
      ['web.default.svc', webIP],
      ['web.default.svc.cluster.local', webIP],
      ['api.team-a.svc.cluster.local', apiIP],
      ['api.team-a.svc', apiIP],
    ] as const) {
      const r = await nslookup(name);
      expect(r.addresses, `${name}: ${r.out}`).toEqual([ip]);
    }
  }, 90_000);

  it('a headless Service resolves to its ready pods; an unknown name does not resolve', async () => {
    const podIPs = (await webPods(cluster.client)).map((p) => p.status?.podIP ?? '').sort();
    expect(podIPs).toHaveLength(2);
    const headless = await nslookup('web-headless.default.svc.cluster.local');
    expect(headless.addresses, headless.out).toEqual(podIPs);
    const missing = await nslookup('nope.default.svc.cluster.local');
    expect(missing.found, missing.out).toBe(false);
    expect(missing.out).toMatch(/NXDOMAIN/);
  }, 60_000);

  it('a pod resolves a name outside the cluster through the proxy\'s upstream (a fake one on loopback)', async () => {
    const r = await nslookup('www.example.com');
    expect(r.addresses, r.out).toEqual([FAKE_ADDRESS]);
    // Asked as is (after the search path's NXDOMAINs, which the cluster DNS answers itself).
    expect(upstream.seen.map((q) => q.name)).toContain('www.example.com');
    expect(upstream.seen.every((q) => !q.name.endsWith('cluster.local'))).toBe(true);
  }, 60_000);

  it('a pod fetches from a Service by its short name and by NAME.NAMESPACE.svc (DNS, then the ClusterIP)', async () => {
    for (const host of ['web', 'web.default.svc']) {
      const r = await exec('client', ['timeout', '15', 'wget', '-q', '-O', '-', `http://${host}/index.html`]);
      expect(r.code, `${host}: ${r.out}`).toBe(0);
      expect(r.out).toMatch(/^web web-/);
    }
  }, 60_000);

  it('stopping the proxy takes the DNS address and its interface away', async () => {
    await proxy.stop();
    expect(proxy.dnsAddress()).toBeUndefined();
    expect(await dummyAddresses()).toEqual([]);
    await expect(run('ip', ['link', 'show', 'dev', IFACE])).rejects.toThrow();
  }, 30_000);
});
