// The controller manager's framework (kube-controller-manager's shape): controllers share one
// informer per kind, each gets its own de-duplicating, rate-limited work queue, and a
// level-triggered reconcile(key) runs on it. Event handlers only enqueue keys.
import { setMaxListeners } from 'node:events';
import type { NatsConnection } from 'nats';
import { Counter, Gauge, Histogram, type Registry as PromRegistry } from 'prom-client';
import type { ShoalClient } from '../../lib/client.js';
import { Informer } from '../../lib/informer.js';
import { findKind, type KubeObject } from '../../lib/kinds.js';
import { runWorkers, WorkQueue, defaultControllerRateLimiter, type Reconcile } from '../../lib/workqueue.js';

export interface Logger {
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

/** What every controller is given. Shared by all controllers of one manager. */
export interface ControllerContext {
  client: ShoalClient;
  /** The shared informer of a kind ("Pod", "ReplicaSet", ...): one per kind per manager.
   * Only register handlers during setup(); read its cache (never mutate cached objects:
   * clone first) in reconcile. */
  informer(kind: string): Informer;
  metrics: PromRegistry;
  logger: Logger;
  /** The clock, in ms; tests may fake it. */
  now(): number;
}

/**
 * One reconcile loop. setup() is called once, before any informer starts: it registers
 * handlers on the informers it needs (handlers only enqueue keys, "namespace/name") and
 * returns the reconcile function. reconcile(key) runs only after every informer has synced,
 * never twice at once for one key; it reads from the caches, treats "not found" as done,
 * and is idempotent. A thrown error retries the key with back-off; TerminalError does not.
 */
export interface Controller {
  readonly name: string;
  /** Concurrent reconciles (default 2). */
  readonly workers?: number;
  setup(ctx: ControllerContext, queue: WorkQueue<string>): Reconcile<string>;
}

/** "namespace/name", or "name" for cluster-scoped objects: the work-queue key. */
export function keyOf(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** Splits a work-queue key back into namespace and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** The owner a controller manages this object for (its controller ownerReference). */
export function controllerOf(obj: KubeObject): { kind: string; name: string; uid: string } | undefined {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller);
  return ref?.kind && ref.name && ref.uid ? { kind: ref.kind, name: ref.name, uid: ref.uid } : undefined;
}

export interface ManagerConfig {
  client: ShoalClient;
  /** A connection made with maxReconnectAttempts -1; the manager does not close it. */
  nc: NatsConnection;
  metrics: PromRegistry;
  logger: Logger;
  now?: () => number;
}

/** Runs controllers over shared informers. */
export class ControllerManager {
  private readonly informers = new Map<string, Informer>();
  /** Set by run(): informers asked for later would never start. */
  private started = false;
  private readonly controllers: { controller: Controller; queue: WorkQueue<string>; reconcile: Reconcile<string> }[] = [];
  private readonly ctx: ControllerContext;
  private readonly queueDepth: Gauge;
  private readonly queueAdds: Counter;
  private readonly queueRetries: Counter;
  private readonly reconcileLatency: Histogram;
  private markSynced: () => void = () => {};
  /** Resolves once run() has synced every informer and the controllers' workers start. */
  readonly synced: Promise<void> = new Promise<void>((resolve) => (this.markSynced = resolve));

  constructor(private readonly config: ManagerConfig) {
    this.ctx = {
      client: config.client,
      informer: (kind) => this.informer(kind),
      metrics: config.metrics,
      logger: config.logger,
      now: config.now ?? Date.now,
    };
    // A manager is made per leadership term in one process: the metrics of an earlier manager
    // on the same registry are reused (counters continue), not registered twice.
    const registers = [config.metrics];
    const reuse = <M>(name: string, make: () => M): M => (config.metrics.getSingleMetric(name) as M | undefined) ?? make();
    this.queueDepth = reuse('shoal_controller_workqueue_depth', () => new Gauge({ name: 'shoal_controller_workqueue_depth', help: 'Keys waiting in a controller\'s work queue.', labelNames: ['controller'], registers }));
    this.queueAdds = reuse('shoal_controller_workqueue_adds_total', () => new Counter({ name: 'shoal_controller_workqueue_adds_total', help: 'Keys added to a controller\'s work queue.', labelNames: ['controller'], registers }));
    this.queueRetries = reuse('shoal_controller_workqueue_retries_total', () => new Counter({ name: 'shoal_controller_workqueue_retries_total', help: 'Keys re-queued after a failed reconcile.', labelNames: ['controller'], registers }));
    this.reconcileLatency = reuse(
      'shoal_controller_reconcile_duration_seconds',
      () =>
        new Histogram({
          name: 'shoal_controller_reconcile_duration_seconds',
          help: 'Time a controller spends reconciling one key.',
          labelNames: ['controller'],
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
          registers,
        }),
    );
  }

  /** The shared informer of `kind` (one per kind per manager), started by run(): a new one
   * can only be asked for before it. */
  informer(kind: string): Informer {
    const info = findKind(kind);
    if (!info) throw new Error(`no such kind ${kind}`);
    let inf = this.informers.get(info.kind);
    if (!inf) {
      if (this.started) throw new Error(`the ${info.kind} informer was asked for after the manager started: it would never run`);
      inf = new Informer({ kind: info.kind, nc: this.config.nc, lister: (k) => this.config.client.listAll(k), logger: this.config.logger });
      this.informers.set(info.kind, inf);
    }
    return inf;
  }

  /** Adds a controller; call before start(). */
  add(controller: Controller): void {
    const name = controller.name;
    const queue = new WorkQueue<string>({
      rateLimiter: defaultControllerRateLimiter(),
      metrics: {
        add: () => this.queueAdds.inc({ controller: name }),
        depth: (d) => this.queueDepth.set({ controller: name }, d),
        retry: () => this.queueRetries.inc({ controller: name }),
        workDuration: (ms) => this.reconcileLatency.observe({ controller: name }, ms / 1000),
      },
    });
    const reconcile = controller.setup(this.ctx, queue);
    this.controllers.push({ controller, queue, reconcile });
  }

  /** Starts the informers, waits for them to sync, then runs every controller until `signal`
   * aborts; resolves when all have stopped. */
  async run(signal: AbortSignal): Promise<void> {
    this.started = true;
    // Every worker of every controller and every informer waits on this one signal.
    setMaxListeners(Math.max(64, 8 * (this.controllers.length + this.informers.size)), signal);
    for (const inf of this.informers.values()) inf.start(signal);
    await Promise.race([Promise.all([...this.informers.values()].map((i) => i.synced)), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    if (signal.aborted) return this.stop();
    signal.addEventListener('abort', () => this.controllers.forEach((c) => c.queue.shutDown()), { once: true });
    this.markSynced();
    await Promise.all(
      this.controllers.map(({ controller, queue, reconcile }) =>
        runWorkers(queue, controller.workers ?? 2, reconcile, signal, { logger: this.config.logger, name: controller.name }),
      ),
    );
    await this.stop();
  }

  private async stop(): Promise<void> {
    for (const c of this.controllers) c.queue.shutDown();
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
