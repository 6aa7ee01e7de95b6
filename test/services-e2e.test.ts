// Services end to end with real nodes and a real dockerd: API server, scheduler, controllers
// (ReplicaSet, Deployment, Endpoints), one node agent with the Docker driver (pods are
// containers on the shared bridge network) and the proxy, all in this process. The seed
// Services (ClusterIP, NodePort 30007, LoadBalancer) front a Deployment of busybox httpd pods.
// Traffic goes only to loopback (ClusterIPs from 127.96.0.0/16, NodePorts on 127.0.0.1, the
// LoadBalancer pool in 127/8) and, through the proxy, to the pods this test created.
//
// One Deployment (label app: web) rather than three: the seed Services are applied through the
// API unchanged except for what must point at these pods, namely spec.selector (rewritten to
// app: web) and the targetPort (8080, where httpd listens; the seed says 80 or leaves it to
// default to the port).
import Docker from 'dockerode';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../lib/kinds.js';
import { decodeObject, parseManifestText } from '../lib/manifest.js';
import type { Deployment__Output } from '../lib/gen/shoal/v1/Deployment.js';
import type { Service__Output } from '../lib/gen/shoal/v1/Service.js';
import type { ProxyHandle } from '../services/proxy/index.js';
import { eventually, startTestCluster, type TestCluster } from './harness.js';
import { MAX_LOAD_MS, NS, httpGet, rolledOut, startLoad, startNodeServices, stopNodeServices, webPods, type NodeServices } from './load.js';

const SEED = fileURLToPath(new URL('../../shared/manifests/seed/', import.meta.url));
const NODE = `services-e2e-${process.pid}`;
const LB_IP = '127.0.0.98';
const NODE_PORT = 30007;

function deployment(version: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: { intVal: 1 }, maxUnavailable: { intVal: 0 } } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 3,
          containers: [
            {
              name: 'httpd',
              image: 'shoal/busybox:1.36',
              command: ['sh', '-c', 'echo "$VERSION $(hostname)" > /tmp/index.html && exec httpd -f -p 8080 -h /tmp'],
              env: [{ name: 'VERSION', value: version }],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/index.html', port: { intVal: 8080 } }, periodSeconds: 1, failureThreshold: 1 },
              // As in Kubernetes: a short pause before SIGTERM covers the time the proxies take
              // to see the pod leave the endpoints.
              lifecycle: { preStop: { exec: { command: ['sleep', '1'] } } },
            },
          ],
        },
      },
    },
  };
}

/** A seed Service, pointed at the web pods (selector and targetPort only). */
async function seedService(file: string): Promise<KubeObject> {
  const [doc] = parseManifestText(await readFile(join(SEED, file), 'utf8')) as Array<{
    metadata: Record<string, unknown>;
    spec: { selector: Record<string, string>; ports: Array<Record<string, unknown>> };
  }>;
  doc!.metadata.namespace = NS;
  doc!.spec.selector = { app: 'web' };
  for (const p of doc!.spec.ports) p.targetPort = 8080;
  return decodeObject(doc);
}

/** "v1 web-abc-xyz" from /index.html, or throws. */
async function index(host: string, port: number): Promise<{ version: string; pod: string }> {
  const a = await httpGet(host, port);
  if (a.status !== 200) throw new Error(`HTTP ${a.status}`);
  const [version = '', pod = ''] = a.body.split(' ');
  return { version, pod };
}

/** The pods answering `n` requests in a row (undefined when one of them fails). */
async function answering(host: string, port: number, n: number): Promise<Set<string> | undefined> {
  const pods = new Set<string>();
  try {
    for (let i = 0; i < n; i++) pods.add((await index(host, port)).pod);
  } catch {
    return undefined;
  }
  return pods;
}

/** Names of the web pods that are Ready and not terminating. */
async function readyPods(cluster: TestCluster): Promise<string[]> {
  return (await webPods(cluster.client))
    .filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => p.metadata?.name ?? '')
    .sort();
}

describe('the seed Services with a Docker node', () => {
  let cluster: TestCluster;
  const services: NodeServices = {};
  let proxy: ProxyHandle;
  let clusterIP = '';
  /** host:port of the ClusterIP, NodePort and LoadBalancer. */
  let targets: Array<[string, number]> = [];

  async function scale(replicas: number): Promise<void> {
    const cur = (await cluster.client.get('Deployment', NS, 'web')) as Deployment__Output & KubeObject;
    await cluster.client.update({ ...cur, spec: { ...cur.spec, replicas } });
  }

  /** Waits until `replicas` pods are ready and exactly they answer on every Service address. */
  async function answeredBy(replicas: number): Promise<string[]> {
    let names: string[] = [];
    await eventually(
      async () => {
        names = await readyPods(cluster);
        if (names.length !== replicas || (await webPods(cluster.client)).length !== replicas) return false;
        for (const [host, port] of targets) {
          const pods = await answering(host, port, replicas * 4);
          if (!pods || [...pods].sort().join() !== names.join()) return false;
        }
        return true;
      },
      `${replicas} pods answering on every Service`,
      45_000,
    );
    return names;
  }

  beforeAll(async () => {
    cluster = await startTestCluster({ serviceCIDR: '127.96.0.0/16' });
    ({ proxy } = await startNodeServices(cluster, { node: NODE, driver: 'docker', loadBalancerIP: LB_IP }, services));

    await cluster.client.create(deployment('v1', 2));
    for (const f of ['app-service.yaml', 'nodeport-service.yaml', 'lb-service.yaml']) await cluster.client.create(await seedService(f));
    const app = (await cluster.client.get('Service', NS, 'app-service')) as Service__Output;
    clusterIP = app.spec?.clusterIP ?? '';
    expect(clusterIP).toMatch(/^127\.96\./);
    targets = [
      [clusterIP, 80],
      ['127.0.0.1', NODE_PORT],
      [LB_IP, 80],
    ];
    await eventually(
      async () => ((await cluster.client.get('Service', NS, 'lb-service')) as Service__Output).status?.loadBalancer?.ingress?.[0]?.ip === LB_IP,
      'the LoadBalancer ingress',
      20_000,
    );
  }, 90_000);

  afterAll(async () => {
    await stopNodeServices(cluster, services, async () => {
      // Whatever is left of this node's containers.
      const docker = new Docker();
      for (const c of await docker.listContainers({ all: true, filters: { label: [`io.shoal.node=${NODE}`] } })) {
        await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
      }
    });
  }, 60_000);

  it('each Service answers on every path from the ClusterIP, the NodePort and the LoadBalancer address', async () => {
    const svc = (await cluster.client.get('Service', NS, 'lb-service')) as Service__Output;
    expect(svc.status?.loadBalancer?.ingress?.map((i) => i.ip)).toEqual([LB_IP]);
    const pods = await answeredBy(2);
    for (const [host, port] of targets) {
      const a = await index(host, port);
      expect(a.version).toBe('v1');
      expect(pods).toContain(a.pod);
      const root = await httpGet(host, port, '/');
      expect(root.status).toBe(200);
      expect(root.body).toMatch(/^v1 web-/);
      // Still an answer from httpd in the pod.
      const missing = await httpGet(host, port, '/no/such/path');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatch(/404/);
    }
  }, 60_000);

  it('scaling 2 → 4 → 1 changes which pods answer', async () => {
    const two = await answeredBy(2);
    await scale(4);
    const four = await answeredBy(4);
    expect(four).toEqual(expect.arrayContaining(two));
    await scale(1);
    const one = await answeredBy(1);
    expect(four).toEqual(expect.arrayContaining(one));
    await scale(3);
    await answeredBy(3);
  }, 150_000);

  it('rolling v1 → v2 (maxSurge 1, maxUnavailable 0) under load fails no request; then only v2 answers', async () => {
    const load = startLoad(async () => (await index(LB_IP, 80)).version);
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const cur = await cluster.client.get('Deployment', NS, 'web');
      await cluster.client.update({ ...deployment('v2', 3), metadata: { ...cur.metadata } });
      await eventually(() => rolledOut(cluster.client, 3), 'the rollout to v2', MAX_LOAD_MS - 3000);
      await eventually(() => proxy.endpoints(`${NS}/lb-service:80`).length === 3, '3 endpoints after the rollout', 5000);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await load.stop();
    }
    expect(load.errors).toEqual([]);
    expect(load.failed).toBe(0);
    expect(load.ok).toBeGreaterThan(100);
    expect(load.versions.v1).toBeGreaterThan(0);
    expect(load.versions.v2).toBeGreaterThan(0);
    for (const [host, port] of targets) {
      for (let i = 0; i < 6; i++) expect((await index(host, port)).version).toBe('v2');
    }
  }, 60_000);

  it('deleting a pod under load fails no request', async () => {
    const before = await webPods(cluster.client);
    const victim = before[0]!;
    const load = startLoad(async () => (await index(LB_IP, 80)).version);
    try {
      await new Promise((r) => setTimeout(r, 1000));
      await cluster.client.delete('Pod', NS, victim.metadata!.name!);
      await eventually(
        async () => {
          const pods = await webPods(cluster.client);
          const eps = proxy.endpoints(`${NS}/lb-service:80`);
          return (
            !pods.some((p) => p.metadata?.name === victim.metadata?.name) &&
            pods.length === 3 &&
            eps.length === 3 &&
            !eps.some((e) => e.ip === victim.status?.podIP)
          );
        },
        'the pod replaced',
        MAX_LOAD_MS - 3000,
      );
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await load.stop();
    }
    expect(load.errors).toEqual([]);
    expect(load.failed).toBe(0);
    expect(load.ok).toBeGreaterThan(100);
    expect(Object.keys(load.versions)).toEqual(['v2']);
  }, 60_000);
});
