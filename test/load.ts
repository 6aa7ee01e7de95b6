// What the two zero-downtime tests (proxy-e2e, services-e2e) share: one node's worth of
// services (scheduler, node agent, controllers, proxy) on a test cluster, their teardown, and a
// bounded load generator.
import { request } from 'node:http';
import { join } from 'node:path';
import type { ShoalClient } from '../lib/client.js';
import type { KubeObject } from '../lib/kinds.js';
import type { Deployment__Output } from '../lib/gen/shoal/v1/Deployment.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import { startControllers, type ControllersHandle } from '../services/controllers/index.js';
import type { ContainerDriver } from '../services/node-agent/driver.js';
import { FALLBACK_SANDBOX_IMAGE, createDriver } from '../services/node-agent/drivers/index.js';
import { startNodeAgent } from '../services/node-agent/index.js';
import { startProxy, type ProxyHandle } from '../services/proxy/index.js';
import { startScheduler } from '../services/scheduler/index.js';
import { TEST_TOKEN, eventually, type TestCluster } from './harness.js';

export const quiet = { info: () => {}, warn: () => {}, error: () => {} };
export const NS = 'default';
export const CLIENTS = 20;
/** No load phase runs longer than this, whatever happens. */
export const MAX_LOAD_MS = 30_000;

export interface Load {
  ok: number;
  failed: number;
  errors: string[];
  versions: Record<string, number>;
  stop(): Promise<void>;
}

/** CLIENTS loops of sequential `fetchVersion` calls until stop() or MAX_LOAD_MS; each call
 * answers with the version that served it, or throws. */
export function startLoad(fetchVersion: () => Promise<string>): Load {
  const deadline = Date.now() + MAX_LOAD_MS;
  let stopped = false;
  const load: Load = {
    ok: 0,
    failed: 0,
    errors: [],
    versions: {},
    stop: async () => {
      stopped = true;
      await running;
    },
  };
  const loop = async (): Promise<void> => {
    while (!stopped && Date.now() < deadline) {
      try {
        const version = await fetchVersion();
        load.ok++;
        load.versions[version] = (load.versions[version] ?? 0) + 1;
      } catch (err) {
        load.failed++;
        if (load.errors.length < 10) load.errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  const running = Promise.all(Array.from({ length: CLIENTS }, () => loop())).then(() => undefined);
  return load;
}

export type Pod = Pod__Output & KubeObject;

/** The pods of the Deployment "web" (label app: web). */
export async function webPods(client: ShoalClient): Promise<Pod[]> {
  return (await client.list('Pod', { namespace: NS, labelSelector: 'app=web' })).items as Pod[];
}

/** Whether the Deployment "web" has rolled out fully to `replicas` pods, none terminating. */
export async function rolledOut(client: ShoalClient, replicas: number): Promise<boolean> {
  const d = (await client.get('Deployment', NS, 'web')) as Deployment__Output & KubeObject;
  const st = d.status;
  if (!st || (st.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return false;
  if (st.updatedReplicas !== replicas || st.availableReplicas !== replicas || st.replicas !== replicas) return false;
  const pods = await webPods(client);
  return pods.length === replicas && pods.every((p) => !p.metadata?.deletionTimestamp);
}

export interface NodeServices {
  scheduler?: { stop(): Promise<void> };
  agent?: { stop(): Promise<void> };
  driver?: ContainerDriver;
  controllers?: ControllersHandle;
  proxy?: ProxyHandle;
}

/** Starts, on `cluster`, a scheduler, one node `node` (node agent with the `driver` driver),
 * the ReplicaSet, Deployment and Endpoints controllers, and a proxy with `loadBalancerIP` as
 * its pool (with `clusterDNS`, the proxy serves the cluster DNS there and the agent gives it to
 * the pods). Fills `into` as it goes, so that stopNodeServices can tear down a partial start.
 *
 * `clusterIPInterface`: the proxy's own interface for ClusterIPs outside 127/8 (a test file
 * running in parallel with another must not share one). `dnsUpstream`: where the cluster DNS
 * forwards other names; tests may send only to loopback or to what they created, so the
 * default here is none at all (REFUSED), never the host's resolvers. */
export async function startNodeServices(
  cluster: TestCluster,
  opts: { node: string; driver: 'process' | 'docker'; loadBalancerIP: string; clusterDNS?: string; clusterIPInterface?: string; dnsUpstream?: string[] },
  into: NodeServices,
): Promise<Required<NodeServices>> {
  const common = { server: cluster.api.address, token: TEST_TOKEN, natsUrl: cluster.nats.url };
  const s = await startScheduler({ ...common, logger: quiet, podInitialBackoffMs: 100, podMaxBackoffMs: 500 });
  into.scheduler = s;
  await s.ready;
  const dataDir = join(cluster.dataDir, 'node');
  // The local sandbox image, named outright: the default (registry.k8s.io/pause) would make
  // dockerd try a pull, and look the registry up, at every start.
  const driver = createDriver(opts.driver, { node: opts.node, dataDir, sandboxImage: FALLBACK_SANDBOX_IMAGE });
  into.driver = driver;
  const dns = opts.clusterDNS ? { clusterDNS: opts.clusterDNS } : {};
  const a = await startNodeAgent({ ...common, nodeName: opts.node, driver, dataDir, logger: quiet, leaseIntervalMs: 1000, ...dns });
  into.agent = a;
  await a.ready;
  const controllers = await startControllers({ ...common, leaderElection: false, controllers: ['replicaset', 'deployment', 'endpoints'], logger: quiet });
  into.controllers = controllers;
  await controllers.ready;
  const proxy = await startProxy({
    ...common,
    nodeName: opts.node,
    nodeAddresses: ['127.0.0.1'],
    loadBalancerPool: [opts.loadBalancerIP],
    logger: quiet,
    ...dns,
    dnsUpstream: opts.dnsUpstream ?? [],
    ...(opts.clusterIPInterface ? { clusterIPInterface: opts.clusterIPInterface } : {}),
  });
  into.proxy = proxy;
  await proxy.ready;
  return into as Required<NodeServices>;
}

/** Deletes the Deployment "web" and every pod in NS, then stops what startNodeServices started
 * and the cluster. `afterDriverClose` runs between closing the driver and stopping the scheduler. */
export async function stopNodeServices(
  cluster: TestCluster | undefined,
  s: NodeServices,
  afterDriverClose?: () => Promise<void>,
): Promise<void> {
  await s.proxy?.stop();
  await cluster?.client.delete('Deployment', NS, 'web').catch(() => undefined);
  await s.controllers?.stop();
  for (const p of (await cluster?.client.list('Pod', { namespace: NS }).catch(() => ({ items: [] })))?.items ?? []) {
    await cluster!.client.delete('Pod', NS, p.metadata?.name ?? '', { gracePeriodSeconds: 0 }).catch(() => undefined);
  }
  await eventually(async () => (await cluster!.client.list('Pod', { namespace: NS })).items.length === 0, 'pods gone', 20_000).catch(() => undefined);
  await s.agent?.stop();
  await s.driver?.close();
  await afterDriverClose?.();
  await s.scheduler?.stop();
  await cluster?.stop();
}

/** `replicas` busybox httpd pods (app: web) answering "web <pod>" on :8080 (port "http"),
 * ready once httpd serves. */
export function webDeployment(replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'httpd',
              image: 'shoal/busybox:1.36',
              command: ['sh', '-c', 'echo "web $(hostname)" > /tmp/index.html && exec httpd -f -p 8080 -h /tmp'],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/index.html', port: { intVal: 8080 } }, periodSeconds: 1, failureThreshold: 1 },
            },
          ],
        },
      },
    },
  };
}

/** One GET on a new connection (no keep-alive: the proxy balances connections); the body trimmed. */
export function httpGet(host: string, port: number, path = '/index.html'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
