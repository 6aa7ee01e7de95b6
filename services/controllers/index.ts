// `shoal controllers`: the controller manager (kube-controller-manager). The public entry of
// this folder: startControllers(config) returns a handle with `ready` and `stop()`, so
// `shoal up`, `shoal controllers` and the tests start the same code.
//
// Every registered controller runs in one ControllerManager over shared informers. With
// leader election (the default) several managers may run; only the holder of the Lease
// shoal-system/shoal-controller-manager acts. Each leadership term builds a fresh manager
// (fresh caches and queues), so a manager that lost the lease and wins it again starts clean.
// Its /metrics carries the cluster-state gauges (cluster-state-metrics.ts), read from the
// leader's caches at scrape time; a standby reports them without samples.
import { connectToCluster } from '../../lib/cluster.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Gauge } from 'prom-client';
import { runLeaderElected, type LeaderElection } from '../../lib/leader.js';
import { newMetricsRegistry, serveMetrics, type MetricsServer } from '../../lib/metrics.js';
import { eventTtlController } from './event-ttl.js';
import { cronJobController } from './cronjob.js';
import { deploymentController } from './deployment.js';
import { endpointsController } from './endpoints.js';
import { ControllerManager, type Controller, type Logger } from './framework.js';
import { registerClusterStateMetrics, type ClusterStateCaches } from './cluster-state-metrics.js';
import { garbageCollector } from './garbage-collector.js';
import { jobController } from './job.js';
import { namespaceController } from './namespace.js';
import { nodeLifecycleController } from './node-lifecycle.js';
import { replicaSetController } from './replicaset.js';

export { ControllerManager, controllerOf, keyOf, splitKey } from './framework.js';
export type { Controller, ControllerContext, Logger, ManagerConfig } from './framework.js';
export { garbageCollector, GC_KINDS } from './garbage-collector.js';
export { namespaceController } from './namespace.js';
export { nodeLifecycleController, tolerationMs, UNREACHABLE_TAINT_KEY } from './node-lifecycle.js';
export { eventTtlController } from './event-ttl.js';
export { endpointsController } from './endpoints.js';

export const CONTROLLER_MANAGER_LEASE = 'shoal-controller-manager';

export interface ControllersConfig {
  /** "host:port" of the API server. */
  server: string;
  token?: string;
  /** The NATS server the API server pumps its change events into. */
  natsUrl: string;
  /** Prometheus /metrics listen address ("host:port", port 0 picks one); absent: none. */
  metricsListen?: string;
  /** Run only while holding the controller manager's Lease (default true). */
  leaderElection?: boolean;
  /** This manager among its replicas (default "<host>_<pid>_<random>"). */
  identity?: string;
  /** The Lease's duration (default 15 s); a standby takes over within about 4/3 of it. */
  leaseDurationSeconds?: number;
  /** The Lease's name (default "shoal-controller-manager"). */
  leaseName?: string;
  /** A node whose lease goes unrenewed this long is Unknown and tainted (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** Pods without a toleration of the unreachable taint are evicted after this (default 300 s). */
  podEvictionTimeoutMs?: number;
  /** Events older than this are deleted (default 1 h). */
  eventTtlMs?: number;
  /** Which controllers to run, by name (default: every registered one; see CONTROLLERS). */
  controllers?: string[];
  logger?: Logger;
  /** Stops the manager when aborted (as stop() does). */
  signal?: AbortSignal;
}

export interface ControllersHandle {
  /**
   * Resolves once this manager knows its role: as the leader (or without leader election)
   * when its informers have synced and the controllers run; as a standby when it has seen
   * another holder of the lease.
   */
  ready: Promise<void>;
  /** "host:port" of /metrics, when metricsListen was given. */
  metricsAddress?: string;
  /** True while this manager runs the controllers. */
  isLeader(): boolean;
  /** The identity it campaigns under. */
  identity: string;
  /** Stops the controllers, releases the lease, closes connections. Idempotent. */
  stop(): Promise<void>;
}

/** Builds one controller from the config. */
export type ControllerFactory = (config: ControllersConfig) => Controller;

/** Every controller the manager can run, by name, in start order. */
export const CONTROLLERS: Readonly<Record<string, ControllerFactory>> = {
  // Each of these keeps its state inside setup(), so one object serves every manager.
  replicaset: () => replicaSetController,
  deployment: () => deploymentController,
  job: () => jobController,
  cronjob: () => cronJobController,
  'garbage-collector': () => garbageCollector(),
  namespace: () => namespaceController(),
  'node-lifecycle': (c) => nodeLifecycleController({ nodeMonitorGracePeriodMs: c.nodeMonitorGracePeriodMs, podEvictionTimeoutMs: c.podEvictionTimeoutMs }),
  'event-ttl': (c) => eventTtlController({ eventTtlMs: c.eventTtlMs }),
  endpoints: () => endpointsController,
};

export async function startControllers(config: ControllersConfig): Promise<ControllersHandle> {
  const logger: Logger = config.logger ?? { info: (m) => console.log(m), warn: (m) => console.warn(m), error: (m) => console.error(m) };
  const names = config.controllers ?? Object.keys(CONTROLLERS);
  const unknown = names.filter((n) => !CONTROLLERS[n]);
  if (unknown.length) throw new Error(`unknown controllers: ${unknown.join(', ')} (known: ${Object.keys(CONTROLLERS).join(', ')})`);
  const identity = config.identity ?? `${hostname()}_${process.pid}_${randomUUID().slice(0, 8)}`;

  const conn = await connectToCluster({ server: config.server, token: config.token, natsUrl: config.natsUrl });
  const { client, nc } = conn;
  const registry = newMetricsRegistry('controllers');
  const leaderGauge = new Gauge({
    name: 'shoal_controller_manager_leader',
    help: '1 while this controller manager holds the lease and runs the controllers.',
    registers: [registry],
  });
  // The leader's synced caches, read by the cluster-state gauges at scrape time.
  let stateCaches: ClusterStateCaches | undefined;
  registerClusterStateMetrics(registry, () => stateCaches);
  let metricsServer: MetricsServer | undefined;
  if (config.metricsListen) {
    try {
      metricsServer = await serveMetrics(registry, config.metricsListen);
    } catch (err) {
      await conn.close();
      throw err;
    }
  }

  let markReady: () => void = () => {};
  let failReady: (err: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  // A stop before ready rejects `ready`; that is the caller's to see, not an unhandled one.
  ready.catch(() => {});

  let leading = false;
  /** One term: a fresh manager with every selected controller, until `signal` aborts. */
  const runTerm = async (signal: AbortSignal): Promise<void> => {
    const manager = new ControllerManager({ client, nc, metrics: registry, logger });
    for (const name of names) manager.add(CONTROLLERS[name]!(config));
    // Asked for before run(), so they start with the controllers' informers (the same ones
    // when a controller watches these kinds).
    const caches: ClusterStateCaches = { nodes: manager.informer('Node'), pods: manager.informer('Pod'), deployments: manager.informer('Deployment') };
    leading = true;
    leaderGauge.set(1);
    let ended = false;
    void manager.synced.then(() => {
      // Not once the term is over: these caches are dead with their manager.
      if (!signal.aborted && !ended) stateCaches = caches;
      logger.info(`controller manager ${identity}: running ${names.join(', ')}`);
      markReady();
    });
    try {
      await manager.run(signal);
    } finally {
      ended = true;
      leading = false;
      stateCaches = undefined;
      leaderGauge.set(0);
    }
  };

  const abort = new AbortController();
  let election: LeaderElection | undefined;
  let direct: Promise<void> | undefined;
  if (config.leaderElection ?? true) {
    election = runLeaderElected({
      client,
      name: config.leaseName ?? CONTROLLER_MANAGER_LEASE,
      identity,
      leaseDurationSeconds: config.leaseDurationSeconds ?? 15,
      logger,
      signal: abort.signal,
      onStartedLeading: runTerm,
      onNewLeader: (holder) => {
        if (holder !== identity) {
          logger.info(`controller manager ${identity}: standing by; ${holder} leads`);
          markReady();
        }
      },
    });
  } else {
    direct = runTerm(abort.signal).catch((err: unknown) => logger.error(`controller manager: ${(err as Error).message}`));
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      failReady(new Error('the controller manager stopped before it was ready'));
      abort.abort();
      await election?.stop();
      await direct;
      await metricsServer?.close();
      await conn.close();
    })());
  if (config.signal) {
    if (config.signal.aborted) void stop();
    else config.signal.addEventListener('abort', () => void stop(), { once: true });
  }

  const handle: ControllersHandle = { ready, stop, identity, isLeader: () => leading };
  if (metricsServer) handle.metricsAddress = metricsServer.address;
  return handle;
}
