// Zero downtime, end to end in one process: API server, scheduler, controllers (ReplicaSet,
// Deployment, Endpoints), one node agent with the process driver (pods are local processes on
// 127.1.x.y), and the proxy. A Deployment of busybox httpd servers behind a LoadBalancer
// Service on 127.0.0.88, under steady bounded load from this test (20 concurrent clients, a
// new connection per request, loopback only): rolling v1 → v2 and deleting a pod must fail no
// request.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../lib/kinds.js';
import type { Service__Output } from '../lib/gen/shoal/v1/Service.js';
import type { ProxyHandle } from '../services/proxy/index.js';
import { eventually, startTestCluster, type TestCluster } from './harness.js';
import { MAX_LOAD_MS, NS, rolledOut, startLoad, startNodeServices, stopNodeServices, webPods, type NodeServices } from './load.js';

const LB_IP = '127.0.0.88';
const LB_PORT = 18080;

function deployment(version: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: { intVal: 1 }, maxUnavailable: { intVal: 0 } } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'httpd',
              image: 'shoal/busybox:1.36',
              command: ['sh', '-c', 'mkdir -p www && echo "$VERSION" > www/index.html && exec busybox httpd -f -p "$POD_IP:8080" -h www'],
              env: [
                { name: 'VERSION', value: version },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              ],
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

function get(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body.trim()) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('zero downtime through the LoadBalancer (process driver, loopback)', () => {
  let cluster: TestCluster;
  const services: NodeServices = {};
  let proxy: ProxyHandle;

  beforeAll(async () => {
    cluster = await startTestCluster({ serviceCIDR: '127.96.0.0/16' });
    ({ proxy } = await startNodeServices(cluster, { node: `proxy-e2e-${process.pid}`, driver: 'process', loadBalancerIP: LB_IP }, services));

    await cluster.client.create(deployment('v1'));
    await cluster.client.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: NS },
      spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', port: LB_PORT, targetPort: { strVal: 'http' }, protocol: 'TCP' }] },
    });
    await eventually(() => proxy.endpoints(`${NS}/web:http`).length === 3, '3 ready endpoints in the proxy', 45_000);
    const svc = (await cluster.client.get('Service', NS, 'web')) as Service__Output;
    expect(svc.status?.loadBalancer?.ingress?.map((i) => i.ip)).toEqual([LB_IP]);
  }, 90_000);

  afterAll(async () => {
    await stopNodeServices(cluster, services);
  }, 60_000);

  it('v1 answers through the LoadBalancer address', async () => {
    for (let i = 0; i < 6; i++) expect(await get(LB_IP, LB_PORT)).toBe('v1');
  });

  it('rolling v1 → v2 (maxSurge 1, maxUnavailable 0) under load fails no request; then only v2 answers', async () => {
    const load = startLoad(() => get(LB_IP, LB_PORT));
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const cur = await cluster.client.get('Deployment', NS, 'web');
      await cluster.client.update({ ...deployment('v2'), metadata: { ...cur.metadata } });
      await eventually(() => rolledOut(cluster.client, 3), 'the rollout to v2', MAX_LOAD_MS - 3000);
      await eventually(() => proxy.endpoints(`${NS}/web:http`).length === 3, '3 endpoints after the rollout', 5000);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await load.stop();
    }
    expect(load.errors).toEqual([]);
    expect(load.failed).toBe(0);
    expect(load.ok).toBeGreaterThan(100);
    expect(load.versions.v1).toBeGreaterThan(0);
    expect(load.versions.v2).toBeGreaterThan(0);
    for (let i = 0; i < 12; i++) expect(await get(LB_IP, LB_PORT)).toBe('v2');
  }, 60_000);

  it('deleting a pod under load fails no request', async () => {
    const before = await webPods(cluster.client);
    const victim = before[0]!;
    const load = startLoad(() => get(LB_IP, LB_PORT));
    try {
      await new Promise((r) => setTimeout(r, 1000));
      await cluster.client.delete('Pod', NS, victim.metadata!.name!);
      await eventually(
        async () => {
          const pods = await webPods(cluster.client);
          return (
            !pods.some((p) => p.metadata?.name === victim.metadata?.name) &&
            pods.length === 3 &&
            proxy.endpoints(`${NS}/web:http`).length === 3 &&
            !proxy.endpoints(`${NS}/web:http`).some((e) => e.ip === victim.status?.podIP)
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
