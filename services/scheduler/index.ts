// `shoal scheduler`: binds pending pods to nodes (kube-scheduler). The public entry of this
// folder: startScheduler(config) returns a handle with `ready` and `stop()`, so `shoal up`,
// `shoal scheduler`, the tests and the benchmark start the same code.
import { connectToCluster } from '../../lib/cluster.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ShoalClient } from '../../lib/client.js';
import type { Namespace__Output } from '../../lib/gen/shoal/v1/Namespace.js';
import type { Node__Output } from '../../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import { Informer } from '../../lib/informer.js';
import { runLeaderElected, type LeaderElection } from '../../lib/leader.js';
import { newMetricsRegistry, serveMetrics, type MetricsServer } from '../../lib/metrics.js';
import { SchedulerCache } from './cache.js';
import { Framework, type PluginSet } from './framework.js';
import { registerSchedulerMetrics } from './metrics.js';
import { SchedulingQueue } from './queue.js';
import { defaultPlugins } from './registry.js';
import { Scheduler, type SchedulerLogger } from './scheduler.js';

export { defaultPlugins } from './registry.js';
export { fitErrorMessage, Framework, podInfo } from './framework.js';
export type { FilterPlugin, PluginSet, PodInfo, PreFilterPlugin, ScorePlugin, Snapshot, Status } from './framework.js';
export { SchedulerCache } from './cache.js';
export { DEFAULT_PARALLELISM, type SchedulerLogger } from './scheduler.js';

export interface SchedulerConfig {
  /** "host:port" of the API server. */
  server: string;
  token?: string;
  /** The NATS server the API server pumps its change events into. */
  natsUrl: string;
  /** Pods naming this scheduler in spec.schedulerName are ours (default "default-scheduler"). */
  schedulerName?: string;
  /** Prometheus /metrics listen address ("host:port", port 0 picks one); absent: none. */
  metricsListen?: string;
  /** Binding cycles (API writes) in flight at once while scheduling continues (default 64). */
  parallelism?: number;
  /** See FrameworkOptions.percentageOfNodesToScore (default 0: adaptive, as kube-scheduler). */
  percentageOfNodesToScore?: number;
  /** Backoff of a pod after a failed attempt: from this (default 1000 ms)... */
  podInitialBackoffMs?: number;
  /** ...doubling up to this (default 10,000 ms). */
  podMaxBackoffMs?: number;
  /** An unschedulable pod is retried at least this often (default 60,000 ms). */
  podMaxUnschedulableMs?: number;
  /** The plugins to run (default: defaultPlugins()). */
  plugins?: PluginSet;
  logger?: SchedulerLogger;
  /** Schedule only while holding the Lease shoal-system/<leaseName> (default false): several
   * schedulers may run, one acts, another takes over when it dies. The caches stay warm on
   * every replica; only the scheduling loop waits for the lease. */
  leaderElection?: boolean;
  /** This replica's identity in the election (default "<host>_<pid>_<random>"). */
  identity?: string;
  /** The Lease's name (default "shoal-scheduler"). */
  leaseName?: string;
  /** The Lease's duration in seconds (default 15). */
  leaseDurationSeconds?: number;
  /** Stops the scheduler when aborted (as stop() does). */
  signal?: AbortSignal;
}

export interface SchedulerHandle {
  /** Resolves once the pod, node and namespace caches are filled and the loop runs. */
  ready: Promise<void>;
  /** "host:port" of /metrics, when metricsListen was given. */
  metricsAddress?: string;
  /** Stops scheduling, waits for the binds in flight, closes connections. Idempotent. */
  stop(): Promise<void>;
  /** True while this scheduler's loop runs (always, once ready, without leader election). */
  isLeader(): boolean;
}

const HOUSEKEEPING_MS = 5_000;
/** An assumed pod whose bind returned but never showed up in the informer is dropped after
 * this long (a lost event; the informer's gap detection makes it unlikely). */
const ASSUMED_TTL_MS = 5 * 60_000;

export async function startScheduler(config: SchedulerConfig): Promise<SchedulerHandle> {
  const logger = config.logger ?? { info: (m: string) => console.log(m), warn: (m: string) => console.warn(m) };
  const schedulerName = config.schedulerName ?? 'default-scheduler';
  const abort = new AbortController();
  const conn = await connectToCluster({ server: config.server, token: config.token, natsUrl: config.natsUrl });
  const { client, nc } = conn;
  let metricsServer: MetricsServer | undefined;

  const queue = new SchedulingQueue({
    initialBackoffMs: config.podInitialBackoffMs,
    maxBackoffMs: config.podMaxBackoffMs,
    maxUnschedulableMs: config.podMaxUnschedulableMs,
  });
  const cache = new SchedulerCache();
  const registry = newMetricsRegistry('scheduler');
  const metrics = registerSchedulerMetrics(registry, () => queue.lengths());
  const informerLogger = { info: (m: string) => logger.info(m), warn: (m: string) => logger.warn(m), error: (m: string) => logger.warn(m) };
  const lister = (kind: string): ReturnType<ShoalClient['list']> => client.list(kind);
  const pods = new Informer({ kind: 'Pod', nc, lister, logger: informerLogger });
  const nodes = new Informer({ kind: 'Node', nc, lister, logger: informerLogger });
  // Namespaces' labels, for pod affinity terms' namespaceSelector.
  const namespaces = new Informer({ kind: 'Namespace', nc, lister, logger: informerLogger });
  const scheduler = new Scheduler({
    client,
    schedulerName,
    framework: new Framework(config.plugins ?? defaultPlugins(), { percentageOfNodesToScore: config.percentageOfNodesToScore }),
    cache,
    queue,
    getPod: (key) => pods.getByKey(key) as Pod__Output | undefined,
    metrics,
    parallelism: config.parallelism,
    logger,
  });
  pods.addEventHandler({
    onAdd: (p) => scheduler.onPodAdd(p as Pod__Output),
    onUpdate: (o, p) => scheduler.onPodUpdate(o as Pod__Output, p as Pod__Output),
    onDelete: (p) => scheduler.onPodDelete(p as Pod__Output),
  });
  namespaces.addEventHandler({
    onAdd: (n) => scheduler.onNamespaceAddOrUpdate(n as Namespace__Output),
    onUpdate: (_o, n) => scheduler.onNamespaceAddOrUpdate(n as Namespace__Output),
    onDelete: (n) => scheduler.onNamespaceDelete(n as Namespace__Output),
  });
  nodes.addEventHandler({
    onAdd: (n) => scheduler.onNodeAdd(n as Node__Output),
    onUpdate: (o, n) => scheduler.onNodeUpdate(o as Node__Output, n as Node__Output),
    onDelete: (n) => scheduler.onNodeDelete(n as Node__Output),
  });

  if (config.metricsListen) {
    try {
      metricsServer = await serveMetrics(registry, config.metricsListen);
    } catch (err) {
      await conn.close();
      throw err;
    }
  }

  namespaces.start(abort.signal);
  nodes.start(abort.signal);
  pods.start(abort.signal);

  const housekeeping = setInterval(() => {
    queue.flushUnschedulableLeftover();
    for (const key of cache.cleanupAssumed(Date.now(), ASSUMED_TTL_MS)) {
      const pod = pods.getByKey(key) as Pod__Output | undefined;
      if (pod && scheduler.isPending(pod)) queue.add(key, pod.spec?.priority ?? 0);
    }
  }, Math.min(HOUSEKEEPING_MS, config.podMaxUnschedulableMs ?? HOUSEKEEPING_MS));
  housekeeping.unref();

  let loop: Promise<void> | undefined;
  let election: LeaderElection | undefined;
  let leading = false;
  const ready = (async () => {
    await Promise.race([
      Promise.all([namespaces.synced, nodes.synced, pods.synced]),
      new Promise<void>((_, reject) => abort.signal.addEventListener('abort', () => reject(new Error('the scheduler stopped before it was ready')), { once: true })),
    ]);
    if (config.leaderElection) {
      const identity = config.identity ?? `${hostname()}_${process.pid}_${randomUUID().slice(0, 8)}`;
      election = runLeaderElected({
        client,
        name: config.leaseName ?? 'shoal-scheduler',
        identity,
        leaseDurationSeconds: config.leaseDurationSeconds,
        logger,
        signal: abort.signal,
        onStartedLeading: async (signal) => {
          leading = true;
          logger.info(`scheduler ${schedulerName}: ${identity} leads; scheduling`);
          try {
            await scheduler.run(signal);
          } finally {
            leading = false;
          }
        },
      });
      logger.info(`scheduler ${schedulerName}: ready (${cache.nodes.length} nodes); campaigning for the lease as ${identity}`);
      return;
    }
    leading = true;
    loop = scheduler.run(abort.signal);
    logger.info(`scheduler ${schedulerName}: ready (${cache.nodes.length} nodes, ${queue.lengths().active} pods to schedule)`);
  })();
  // A stop before ready rejects `ready`; that is the caller's to see, not an unhandled one.
  ready.catch(() => {});

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      abort.abort();
      clearInterval(housekeeping);
      queue.close();
      await loop;
      await election?.stop();
      await scheduler.idle();
      await Promise.all([pods.stop(), nodes.stop(), namespaces.stop()]);
      await metricsServer?.close();
      await conn.close();
    })());
  if (config.signal) {
    if (config.signal.aborted) void stop();
    else config.signal.addEventListener('abort', () => void stop(), { once: true });
  }

  const handle: SchedulerHandle = { ready, stop, isLeader: () => leading };
  if (metricsServer) handle.metricsAddress = metricsServer.address;
  return handle;
}
