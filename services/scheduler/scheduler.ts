// The scheduling loop: informer handlers feed the cache and the queue; one loop pops a pod,
// runs one synchronous scheduling cycle, assumes the pod onto the chosen node and hands the
// bind to an asynchronous binding cycle, so the next pod is scheduled while earlier binds
// are still being written (kube-scheduler's scheduling/binding split).
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ShoalClient } from '../../lib/client.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Condition__Output } from '../../lib/gen/shoal/v1/Condition.js';
import type { Namespace__Output } from '../../lib/gen/shoal/v1/Namespace.js';
import type { Node__Output } from '../../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import type { KubeObject } from '../../lib/kinds.js';
import { deepEqual } from '../../lib/objects.js';
import type { SchedulerCache } from './cache.js';
import { EventRecorder, timestamp } from './events.js';
import { podInfo, termMatches, type Framework, type PodInfo, type ScheduleResult } from './framework.js';
import type { AttemptResult, SchedulerMetrics } from './metrics.js';
import type { SchedulingQueue } from './queue.js';

export type SchedulerClient = Pick<ShoalClient, 'get' | 'create' | 'update' | 'updateStatus'>;

export interface SchedulerLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface SchedulerCoreOptions {
  client: SchedulerClient;
  /** Pods whose spec.schedulerName is this (an empty one counts as default-scheduler). */
  schedulerName: string;
  framework: Framework;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  /** The current pod for a key, from the informer (never mutated). */
  getPod(key: string): Pod__Output | undefined;
  metrics?: SchedulerMetrics;
  /** Binding cycles in flight at once (default 64); scheduling pauses while all are busy. */
  parallelism?: number;
  logger?: SchedulerLogger;
  /** Wall clock for timestamps (default Date.now). */
  now?: () => number;
}

const DEFAULT_SCHEDULER = 'default-scheduler';
/** Binds in flight by default. The API server commits concurrent writes as a group, so more
 * binds in flight mean more pods/s while there is a backlog (bench/scheduler.ts: about 300
 * pods/s at 16, 400-480 at 64); each bind is two writes plus an event. */
export const DEFAULT_PARALLELISM = 64;

function keyOf(pod: Pod__Output): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

function terminal(pod: Pod__Output): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The parts of a node whose change can make a pending pod fit. */
function nodeSchedulingView(n: Node__Output): unknown {
  return {
    labels: n.metadata?.labels,
    unschedulable: n.spec?.unschedulable ?? false,
    taints: n.spec?.taints,
    allocatable: n.status?.allocatable,
    ready: (n.status?.conditions ?? []).find((c) => c.type === 'Ready')?.status,
  };
}

export class Scheduler {
  private readonly o: SchedulerCoreOptions;
  private readonly parallelism: number;
  private readonly logger: SchedulerLogger;
  private readonly now: () => number;
  readonly events: EventRecorder;
  private binding = 0;
  private bindSlot: (() => void) | undefined;
  private readonly background = new Set<Promise<void>>();

  constructor(opts: SchedulerCoreOptions) {
    this.o = opts;
    this.parallelism = Math.max(1, opts.parallelism ?? DEFAULT_PARALLELISM);
    this.logger = opts.logger ?? { info: (m) => console.log(m), warn: (m) => console.warn(m) };
    this.now = opts.now ?? Date.now;
    this.events = new EventRecorder(opts.client, { component: opts.schedulerName, now: this.now });
  }

  /** Whether this scheduler should place `pod` now. */
  isPending(pod: Pod__Output): boolean {
    return (
      !pod.spec?.nodeName &&
      !pod.metadata?.deletionTimestamp &&
      !terminal(pod) &&
      (pod.spec?.schedulerName || DEFAULT_SCHEDULER) === this.o.schedulerName
    );
  }

  // ---- informer handlers: they only update the cache and the queue ----

  onPodAdd(pod: Pod__Output): void {
    const key = keyOf(pod);
    if (pod.spec?.nodeName) {
      this.o.queue.delete(key);
      if (!terminal(pod)) {
        this.o.cache.addOrUpdatePod(pod);
        this.wakeAffinityPeers(pod);
      }
    } else if (this.isPending(pod) && !this.o.cache.isAssumed(key)) {
      this.o.queue.add(key, pod.spec?.priority ?? 0);
    }
  }

  onPodUpdate(old: Pod__Output, pod: Pod__Output): void {
    const key = keyOf(pod);
    const { cache, queue } = this.o;
    if (pod.spec?.nodeName) {
      queue.delete(key);
      if (terminal(pod)) {
        // A finished pod frees its node's resources.
        if (cache.has(key)) {
          cache.removePod(key);
          queue.moveAllToActive();
        }
        return;
      }
      cache.addOrUpdatePod(pod);
      // New labels on a placed pod can change pod (anti-)affinity and spreading for others.
      if (old.spec?.nodeName && !deepEqual(old.metadata?.labels, pod.metadata?.labels)) queue.moveAllToActive();
      else if (!old.spec?.nodeName) this.wakeAffinityPeers(pod);
      return;
    }
    if (this.isPending(pod)) {
      if (cache.isAssumed(key)) return;
      const relevant = !deepEqual(old.spec, pod.spec) || !deepEqual(old.metadata?.labels, pod.metadata?.labels);
      queue.update(key, pod.spec?.priority ?? 0, relevant);
    } else {
      queue.delete(key);
    }
  }

  onPodDelete(pod: Pod__Output): void {
    const key = keyOf(pod);
    this.o.queue.delete(key);
    if (this.o.cache.has(key)) {
      const wasBound = !this.o.cache.isAssumed(key);
      this.o.cache.removePod(key);
      // Its resources, and its place in anti-affinity and spreading, are free.
      if (wasBound) this.o.queue.moveAllToActive();
    }
  }

  /**
   * `placed` now runs on a node. That can only help pods waiting for a peer: those whose
   * required pod affinity terms select it are tried again; the rest stay parked (kube's
   * queueing hint for InterPodAffinity on an assigned pod's add).
   */
  private wakeAffinityPeers(placed: Pod__Output): void {
    const { queue, cache } = this.o;
    if (queue.lengths().unschedulable === 0) return;
    const info = podInfo(placed);
    const nsLabels = cache.namespaceLabels(info.namespace);
    queue.moveToActiveIf((key) => {
      const waiting = this.o.getPod(key);
      return !!waiting && podInfo(waiting).requiredAffinity.some((t) => termMatches(t, info, nsLabels));
    });
  }

  /** A namespace was added or its labels changed: pod affinity terms' namespaceSelectors may
   * select it now. */
  onNamespaceAddOrUpdate(ns: Namespace__Output): void {
    if (this.o.cache.setNamespace(ns.metadata?.name ?? '', ns.metadata?.labels)) this.o.queue.moveAllToActive();
  }

  onNamespaceDelete(ns: Namespace__Output): void {
    this.o.cache.removeNamespace(ns.metadata?.name ?? '');
  }

  onNodeAdd(node: Node__Output): void {
    this.o.cache.setNode(node);
    this.o.queue.moveAllToActive();
  }

  onNodeUpdate(old: Node__Output, node: Node__Output): void {
    this.o.cache.setNode(node);
    // Heartbeats change only timestamps: pods wait for a change that can matter.
    if (!deepEqual(nodeSchedulingView(old), nodeSchedulingView(node))) this.o.queue.moveAllToActive();
  }

  onNodeDelete(node: Node__Output): void {
    const name = node.metadata?.name ?? '';
    // Its pods go with it (the node lifecycle controller force-deletes them): they must not
    // keep counting for anti-affinity and spreading in the meantime.
    const keys = [...(this.o.cache.get(name)?.pods.keys() ?? [])];
    this.o.cache.removeNode(name);
    for (const key of keys) this.o.cache.removePod(key);
    if (keys.length) this.o.queue.moveAllToActive();
  }

  // ---- the loop ----

  /** Pops and schedules pods until `signal` aborts; then waits for the binds in flight. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (this.binding >= this.parallelism) {
        await new Promise<void>((resolve) => (this.bindSlot = resolve));
        continue;
      }
      const key = await this.o.queue.pop(signal);
      if (key === undefined) break;
      this.scheduleOne(key);
      // Let the informers and the binds' replies in between two cycles.
      await yieldToLoop();
    }
    await this.idle();
  }

  /** Resolves once every binding cycle and status/event write started so far has ended. */
  async idle(): Promise<void> {
    while (this.background.size) await Promise.all([...this.background]);
  }

  /**
   * One scheduling cycle for the pod under `key`: synchronous up to the decision (the cache
   * cannot change meanwhile), which it records at once in the cache (assume) or the queue.
   * Returns the decision; the bind or the failure report continues in the background.
   */
  scheduleOne(key: string): ScheduleResult | undefined {
    const pod = this.o.getPod(key);
    if (!pod || !this.isPending(pod) || this.o.cache.isAssumed(key)) return undefined;
    const started = performance.now();
    const info = podInfo(pod);
    let result: ScheduleResult;
    try {
      result = this.o.framework.schedule(info, this.o.cache);
    } catch (err) {
      result = { result: 'error', error: err instanceof Error ? err : new Error(String(err)) };
    }
    switch (result.result) {
      case 'scheduled':
        this.o.cache.assume(info, result.node.name);
        this.binding++;
        this.track(this.bindingCycle(info, result.node.name, started));
        break;
      case 'unschedulable':
        this.o.queue.addUnschedulable(key);
        this.observe('unschedulable', started);
        this.track(this.reportUnschedulable(pod, result.message));
        break;
      case 'error':
        this.o.queue.addBackoff(key);
        this.observe('error', started);
        this.logger.warn(`scheduler: error scheduling pod ${key}: ${result.error.message}`);
        break;
    }
    return result;
  }

  private releaseSlot(): void {
    this.binding--;
    const wake = this.bindSlot;
    this.bindSlot = undefined;
    wake?.();
  }

  private track(p: Promise<void>): void {
    const t = p.catch((err: unknown) => this.logger.warn(`scheduler: ${errMessage(err)}`));
    this.background.add(t);
    void t.finally(() => this.background.delete(t));
  }

  private observe(result: AttemptResult, started: number): void {
    this.o.metrics?.attempt(result, (performance.now() - started) / 1000);
  }

  // ---- binding ----

  /** Binds and sets PodScheduled while holding a binding slot; the event is written after
   * the slot is released (like kube's event broadcaster, it does not hold up scheduling). */
  private async bindingCycle(info: PodInfo, node: string, started: number): Promise<void> {
    let bound: Pod__Output | undefined;
    try {
      bound = await this.bindAndReport(info, node, started);
    } finally {
      this.releaseSlot();
    }
    if (!bound) return;
    const ns = bound.metadata?.namespace ?? '';
    const name = bound.metadata?.name ?? '';
    const failed = await this.events.record(bound, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${node}`);
    if (failed) this.logger.warn(`scheduler: event for ${info.key}: ${failed.message}`);
  }

  private async bindAndReport(info: PodInfo, node: string, started: number): Promise<Pod__Output | undefined> {
    const { cache, queue } = this.o;
    let bound: Pod__Output | undefined;
    try {
      bound = await this.bind(info.pod, node);
    } catch (err) {
      cache.forget(info.key);
      queue.addBackoff(info.key);
      this.observe('error', started);
      this.logger.warn(`scheduler: binding pod ${info.key} to ${node}: ${errMessage(err)}`);
      const failed = await this.events.record(info.pod, 'Warning', 'FailedScheduling', `Binding rejected: ${errMessage(err)}`);
      if (failed) this.logger.warn(`scheduler: event for ${info.key}: ${failed.message}`);
      return undefined;
    }
    if (!bound) {
      // Deleted, replaced, or placed by someone else meanwhile: nothing left to do.
      cache.forget(info.key);
      return undefined;
    }
    cache.finishBinding(info.key, this.now());
    queue.done(info.key);
    this.observe('scheduled', started);
    try {
      await this.setPodScheduled(bound, { type: 'PodScheduled', status: 'True' });
    } catch (err) {
      this.logger.warn(`scheduler: PodScheduled condition of ${info.key}: ${errMessage(err)}`);
    }
    return bound;
  }

  /**
   * Writes spec.nodeName (the one spec change the API allows on a pod), re-reading on
   * conflicts. Undefined if the pod is gone, replaced (new uid), being deleted, or already
   * bound elsewhere.
   */
  async bind(pod: Pod__Output, node: string): Promise<Pod__Output | undefined> {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const uid = pod.metadata?.uid;
    let cur = pod;
    for (let attempt = 1; ; attempt++) {
      if (cur.metadata?.uid !== uid || cur.metadata?.deletionTimestamp) return undefined;
      if (cur.spec?.nodeName) return cur.spec.nodeName === node ? cur : undefined;
      const next = structuredClone(cur) as KubeObject & Pod__Output;
      next.spec = { ...next.spec, nodeName: node };
      try {
        return (await this.o.client.update(next)) as Pod__Output;
      } catch (err) {
        if (err instanceof NotFoundError) return undefined;
        if (!(err instanceof ConflictError) || attempt >= 5) throw err;
      }
      try {
        cur = (await this.o.client.get('Pod', ns, name)) as Pod__Output;
      } catch (err) {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      }
    }
  }

  /**
   * Sets the PodScheduled condition through the status subresource unless it already reads
   * the same (so repeated failures do not rewrite the pod). lastTransitionTime moves only
   * when the status flips. A False condition is not written over a pod that got bound.
   */
  async setPodScheduled(pod: Pod__Output, cond: { type: 'PodScheduled'; status: 'True' | 'False'; reason?: string; message?: string }): Promise<void> {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    let cur = pod;
    for (let attempt = 1; ; attempt++) {
      if (cond.status === 'False' && (cur.spec?.nodeName || cur.metadata?.uid !== pod.metadata?.uid)) return;
      const conditions = cur.status?.conditions ?? [];
      const i = conditions.findIndex((c) => c.type === 'PodScheduled');
      const old = i >= 0 ? conditions[i] : undefined;
      if (old && old.status === cond.status && (old.reason ?? '') === (cond.reason ?? '') && (old.message ?? '') === (cond.message ?? '')) return;
      const next: Condition__Output = {
        type: 'PodScheduled',
        status: cond.status,
        lastTransitionTime: old?.status === cond.status && old.lastTransitionTime ? old.lastTransitionTime : timestamp(this.now()),
      };
      if (cond.reason) next.reason = cond.reason;
      if (cond.message) next.message = cond.message;
      const list = [...conditions];
      if (i >= 0) list[i] = next;
      else list.push(next);
      const obj = { ...(cur as KubeObject), status: { phase: 'Pending', ...cur.status, conditions: list } };
      try {
        await this.o.client.updateStatus(obj);
        return;
      } catch (err) {
        if (err instanceof NotFoundError) return;
        if (!(err instanceof ConflictError) || attempt >= 5) throw err;
      }
      try {
        cur = (await this.o.client.get('Pod', ns, name)) as Pod__Output;
      } catch (err) {
        if (err instanceof NotFoundError) return;
        throw err;
      }
    }
  }

  /** PodScheduled=False with kube-scheduler's message, and a FailedScheduling event. */
  private async reportUnschedulable(pod: Pod__Output, message: string): Promise<void> {
    const key = keyOf(pod);
    try {
      await this.setPodScheduled(pod, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message });
    } catch (err) {
      this.logger.warn(`scheduler: PodScheduled condition of ${key}: ${errMessage(err)}`);
    }
    const failed = await this.events.record(pod, 'Warning', 'FailedScheduling', message);
    if (failed) this.logger.warn(`scheduler: event for ${key}: ${failed.message}`);
  }
}
