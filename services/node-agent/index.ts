// `shoal node-agent`: one per node (the kubelet). The public entry of this folder:
// startNodeAgent(config) registers the Node, renews its Lease, runs the pods bound to it
// through a container driver, reports their status, and serves logs and exec over gRPC.
//
// stop() leaves every container running, as a kubelet that exits does: an agent started
// again with the same name and data directory re-adopts them (and removes those whose pod was
// deleted meanwhile).
import { setMaxListeners } from 'node:events';
import { connect, type NatsConnection } from 'nats';
import { abortable } from '../../lib/abort.js';
import { ShoalClient } from '../../lib/client.js';
import { normalizeClusterDomain } from '../../lib/cluster-domain.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import type { Taint__Output } from '../../lib/gen/shoal/v1/Taint.js';
import { Informer } from '../../lib/informer.js';
import { serveMetrics, type MetricsServer } from '../../lib/metrics.js';
import { parseQuantity } from '../../lib/quantity.js';
import { ItemExponentialRateLimiter, MaxOfRateLimiter, BucketRateLimiter, WorkQueue, runWorkers } from '../../lib/workqueue.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import type { ContainerDriver } from './driver.js';
import { PodEventRecorder } from './events.js';
import { startAgentServer, type AgentServer } from './grpc.js';
import { newAgentMetrics } from './metrics.js';
import { NodeRegistration } from './node.js';
import { PodManager, type Logger } from './pod-worker.js';

export type { ContainerDriver } from './driver.js';
export type { BackoffPolicy } from './backoff.js';
export type { Logger as NodeAgentLogger } from './pod-worker.js';
export { LEASE_NAMESPACE, LEASE_DURATION_SECONDS } from './node.js';

export interface NodeAgentConfig {
  /** The Node's name (and the Lease's). */
  nodeName: string;
  /** "host:port" of the API server. */
  server: string;
  /** Bearer token for the API server. */
  token: string;
  /** The NATS server the API server pumps its change events into. */
  natsUrl: string;
  /** Runs the containers. The caller owns it: stop() does not close it. */
  driver: ContainerDriver;
  /** When set, the NodeAgent gRPC service requires `authorization: Bearer <agentToken>`
   * (the API server's relay presents it). */
  agentToken?: string;
  /** The NodeAgent gRPC listen address (default "127.0.0.1:0"). */
  listen?: string;
  /** The Node's InternalIP (pods' hostIP; where the API server dials the agent). Default:
   * the listen host when it is a specific address, else the driver's fingerprint. */
  internalIP?: string;
  /** emptyDir, configMap and secret volumes live under <dataDir>/pods/<uid>/volumes. */
  dataDir: string;
  /** Prometheus /metrics listen address ("host:port"; port 0 picks one); absent: none. */
  metricsListen?: string;
  /** Lease renewal period (default 10 s); the Node's status is checked as often. */
  leaseIntervalMs?: number;
  /** The Node's status is posted at least this often when nothing changed (default 60 s). */
  nodeStatusReportMs?: number;
  /** Container restart and image pull back-off (default 10 s doubling to 5 min, reset after
   * 10 min running). Tests shorten it. */
  backoff?: Partial<BackoffPolicy>;
  /** Extra labels for the Node. */
  labels?: Record<string, string>;
  /** Taints the Node is registered with. */
  taints?: Taint__Output[];
  /** Pods synced at once (default 16). */
  workers?: number;
  /** configMap and secret volumes are rewritten from the API this often (default 60 s). */
  volumeRefreshMs?: number;
  /** The cluster DNS server (the proxies' clusterDNS): ClusterFirst pods resolve through it
   * with the Kubernetes search path (docker driver only). Absent: pods use the node's. */
  clusterDNS?: string;
  /** Default 'cluster.local'; normalised by normalizeClusterDomain (lib/cluster-domain.ts). */
  clusterDomain?: string;
  logger?: Logger;
}

export interface NodeAgentHandle {
  /** Resolves once the Node is registered, the Lease renewed, the pods listed and the
   * containers of an earlier run re-adopted. */
  ready: Promise<void>;
  nodeName: string;
  /** "host:port" of the NodeAgent gRPC service. */
  address: string;
  /** "host:port" of /metrics, when metricsListen was given. */
  metricsAddress?: string;
  /** Stops the agent and leaves the containers running. Idempotent. */
  stop(): Promise<void>;
}

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

function hostOf(listen: string): string {
  return listen.replace(/:\d+$/, '');
}

function defaultLogger(nodeName: string): Logger {
  const p = `node-agent ${nodeName}: `;
  return {
    info: (m, ...r) => console.log(p + m, ...r),
    warn: (m, ...r) => console.warn(p + m, ...r),
    error: (m, ...r) => console.error(p + m, ...r),
  };
}

export async function startNodeAgent(config: NodeAgentConfig): Promise<NodeAgentHandle> {
  const { nodeName, driver } = config;
  const logger = config.logger ?? defaultLogger(nodeName);
  const listen = config.listen ?? '127.0.0.1:0';
  const leaseIntervalMs = config.leaseIntervalMs ?? 10_000;
  const backoff: BackoffPolicy = { ...DEFAULT_BACKOFF, ...config.backoff };
  // Normalised as the proxy does, so pods search the domain the cluster DNS answers for.
  const clusterDNS = config.clusterDNS ? { server: config.clusterDNS, domain: normalizeClusterDomain(config.clusterDomain) } : undefined;
  const abort = new AbortController();
  const signal = abort.signal;
  // Every API call, pull and wait of every pod listens on it.
  setMaxListeners(0, signal);
  const client = new ShoalClient({ server: config.server, token: config.token });
  const cleanups: (() => Promise<void> | void)[] = [() => client.close()];
  const runCleanups = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        logger.warn(`stop: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  try {
    const fingerprint = await driver.fingerprint();
    const listenHost = hostOf(listen);
    const internalIP = config.internalIP ?? (WILDCARDS.has(listenHost) ? fingerprint.internalIP : listenHost);

    const nc: NatsConnection = await connect({ servers: config.natsUrl, name: `shoal-node-agent-${nodeName}`, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    cleanups.push(() => nc.close());

    const podQueue = new WorkQueue<string>({
      rateLimiter: new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter<string>(100, 30_000), new BucketRateLimiter<string>(50, 200)),
    });
    const informer = new Informer({
      kind: 'Pod',
      nc,
      lister: (kind) => client.list(kind, { fieldSelector: `spec.nodeName=${nodeName}`, signal }),
      filter: (obj) => (obj as Pod__Output).spec?.nodeName === nodeName,
      logger,
    });
    let podsRunning = (): number => 0;
    const metrics = newAgentMetrics(nodeName, () => podsRunning());
    const pods = new PodManager({
      nodeName,
      driver,
      client,
      dataDir: config.dataDir,
      hostIP: internalIP,
      nodeCpu: parseQuantity(fingerprint.capacity.cpu) ?? 1,
      nodeMemory: parseQuantity(fingerprint.capacity.memory) ?? 0,
      backoff,
      metrics,
      logger,
      getPod: (key) => informer.getByKey(key) as Pod__Output | undefined,
      enqueue: (key) => podQueue.add(key),
      signal,
      events: new PodEventRecorder(client, nodeName, logger),
      volumeRefreshMs: config.volumeRefreshMs,
      ...(clusterDNS ? { clusterDNS } : {}),
    });
    podsRunning = () => pods.runningCount();

    const server: AgentServer = await startAgentServer({ listen, agentToken: config.agentToken, driver, pods, logger });
    cleanups.push(() => server.close());
    let metricsServer: MetricsServer | undefined;
    if (config.metricsListen !== undefined) {
      metricsServer = await serveMetrics(metrics.registry, config.metricsListen);
      cleanups.push(() => metricsServer!.close());
    }

    const registration = new NodeRegistration({
      nodeName,
      client,
      fingerprint,
      internalIP,
      agentPort: server.port,
      labels: config.labels ?? {},
      taints: config.taints ?? [],
      reportIntervalMs: config.nodeStatusReportMs ?? 60_000,
      runtimeHealth: driver.health ? () => driver.health!() : undefined,
      signal,
    });

    // Node status and lease: two keys of a small queue, each re-queued after its period, and
    // retried with back-off when the API server is away.
    const heartbeats = new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter<string>(200, Math.max(1000, leaseIntervalMs)) });
    let nodeOk: () => void = () => {};
    let leaseOk: () => void = () => {};
    const registered = new Promise<void>((r) => (nodeOk = r));
    const leased = new Promise<void>((r) => (leaseOk = r));
    const heartbeatWorkers = runWorkers(
      heartbeats,
      2,
      async (key) => {
        if (key === 'node') {
          await registration.syncNode();
          nodeOk();
        } else {
          await registration.renewLease();
          leaseOk();
        }
        return { requeueAfter: leaseIntervalMs };
      },
      signal,
      { logger, name: `node-agent ${nodeName} heartbeat` },
    );
    heartbeats.add('node');
    heartbeats.add('lease');
    cleanups.push(async () => {
      heartbeats.shutDown();
      await heartbeatWorkers;
    });

    const keyOf = (p: Pod__Output): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
    informer.addEventHandler({
      onAdd: (p) => podQueue.add(keyOf(p as Pod__Output)),
      onUpdate: (_o, p) => {
        const key = keyOf(p as Pod__Output);
        pods.observe(key, p as Pod__Output);
        podQueue.add(key);
      },
      onDelete: (p) => {
        const key = keyOf(p as Pod__Output);
        pods.observe(key, undefined);
        podQueue.add(key);
      },
    });
    informer.start(signal);
    cleanups.push(() => informer.stop());

    let podWorkers: Promise<void> | undefined;
    cleanups.push(async () => {
      podQueue.shutDown();
      pods.shutdown();
      // A sync in progress, or a pod's termination (its grace period, in the background), is
      // not waited for past a few seconds: what it did not finish, the next agent run does.
      const busy = Promise.all([podWorkers, pods.idle()]);
      await Promise.race([busy, new Promise((r) => setTimeout(r, 5000).unref())]);
    });

    const ready = (async () => {
      await abortable(informer.synced, signal);
      // Re-adopt what an earlier run left, before any sync can act on it.
      const handles = await driver.recover();
      const listed = informer.list() as Pod__Output[];
      for (const key of pods.adopt(handles, listed)) podQueue.add(key);
      await pods.removeStrayPodDirs(new Set(listed.map((p) => p.metadata?.uid ?? '')));
      podWorkers = runWorkers(podQueue, config.workers ?? 16, (key) => pods.sync(key), signal, { logger, name: `node-agent ${nodeName}` });
      await abortable(Promise.all([registered, leased]), signal);
      const adopted = handles.filter((h) => h.role === 'container').length;
      logger.info(`ready: ${listed.length} pods bound, ${adopted} containers found at start, agent at ${internalIP}:${server.port}`);
    })();
    // A failed start is reported through `ready`; stop() still cleans up.
    ready.catch(() => {});

    let stopped: Promise<void> | undefined;
    return {
      ready,
      nodeName,
      address: `${internalIP}:${server.port}`,
      metricsAddress: metricsServer?.address,
      stop() {
        stopped ??= (async () => {
          abort.abort();
          await runCleanups();
        })();
        return stopped;
      },
    };
  } catch (err) {
    abort.abort();
    await runCleanups();
    throw err;
  }
}
