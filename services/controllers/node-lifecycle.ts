// The node lifecycle controller (kube-controller-manager's nodelifecycle with its taint
// manager): taints nodes by their condition and moves pods away from nodes that are not ready
// or whose agent went silent.
//
// - Liveness is the node's Lease (shoal-system/<node>, renewed by the agent every 10 s) and
//   the heartbeat of its Ready condition. As Kubernetes does, the controller times silence by
//   its own clock from when it last *saw* either change (the "probe timestamp"), so clock skew
//   between machines does not matter; a controller that just started gives every node a full
//   grace period.
// - Silent for nodeMonitorGracePeriod: Ready, MemoryPressure, DiskPressure and PIDPressure
//   become Unknown (Ready: reason NodeStatusUnknown; NetworkUnavailable belongs to whoever set
//   it), the node is tainted node.kubernetes.io/unreachable:NoExecute, and an Event says
//   "Node n2 not ready; evicting its pods in 300s".
// - An agent that is alive but reports Ready=False (its runtime is down) gets
//   node.kubernetes.io/not-ready:NoExecute at once: that verdict is its own, no grace period.
//   The two NoExecute taints mirror the Ready condition, so they are exclusive: when Ready
//   goes False -> Unknown (or back) one is swapped for the other in one write, without waiting
//   for the rate limiter, and the pods' eviction clock keeps running from the first taint.
//   Ready=True (or, for a silent node, a lease seen renewed again) removes them.
// - TaintNodesByCondition: NoSchedule taints follow the stored conditions and the cordon, on
//   every node change, never rate-limited and never held back by disruption mode (they only
//   keep new pods off): Ready False/Unknown -> not-ready/unreachable, MemoryPressure,
//   DiskPressure, PIDPressure, NetworkUnavailable True -> memory-pressure, disk-pressure,
//   pid-pressure, network-unavailable, spec.unschedulable -> unschedulable.
// - Disruption mode (Kubernetes' zone states, one zone): when every node is unhealthy (silent
//   or Ready=False), or more than unhealthyZoneThreshold (55%) of at least 3 nodes are, the
//   likelier cause is our own view (a stalled watch, a partition of the control plane) or
//   something cluster-wide (a bad runtime upgrade everywhere) rather than that many dead
//   machines. Silent nodes are still marked Unknown, but no node gets a NoExecute taint,
//   existing ones are removed, and nothing is evicted until the cluster is healthy again.
// - Adding a NoExecute taint (and so eviction) is rate-limited, as the eviction limiter is: a
//   token bucket of evictionQps (0.1 node/s) with a burst of 1, shared by both taints.
// - A pod on a node with one of these NoExecute taints is evicted when its toleration of that
//   taint runs out: tolerationSeconds of a matching toleration (none: forever). The API server
//   gives every pod tolerations of both taints for 300 s unless it has its own (Kubernetes'
//   DefaultTolerationSeconds admission, services/api/defaults.ts); a pod stored without a
//   matching one (written before that) gets the default podEvictionTimeout. The eviction is a
//   graceful delete only: the node may merely be partitioned with its containers still
//   running, and the pod's name must not be freed for a duplicate while they might be. Its
//   owner replaces it elsewhere (terminating pods are not counted). Only when the Node object
//   itself is deleted are its pods force-deleted (grace 0), as Kubernetes' pod garbage
//   collector does for orphaned pods.
// Timers are work-queue delays (requeueAfter), not polling loops.
import { retryOnConflict } from '../../lib/client.js';
import { parseTime, timestamp } from '../../lib/conditions.js';
import { NotFoundError } from '../../lib/errors.js';
import { EventRecorder } from '../../lib/event-recorder.js';
import type { Condition__Output } from '../../lib/gen/shoal/v1/Condition.js';
import type { Lease__Output } from '../../lib/gen/shoal/v1/Lease.js';
import type { NodeSpec__Output } from '../../lib/gen/shoal/v1/NodeSpec.js';
import type { NodeStatus__Output } from '../../lib/gen/shoal/v1/NodeStatus.js';
import type { PodSpec__Output } from '../../lib/gen/shoal/v1/PodSpec.js';
import type { Taint__Output } from '../../lib/gen/shoal/v1/Taint.js';
import type { Toleration__Output } from '../../lib/gen/shoal/v1/Toleration.js';
import type { KubeObject } from '../../lib/kinds.js';
import { deepEqual } from '../../lib/objects.js';
import type { ReconcileResult } from '../../lib/workqueue.js';
import { keyOf, type Controller, type ControllerContext } from './framework.js';

export const NODE_LEASE_NAMESPACE = 'shoal-system';
export const NOT_READY_TAINT_KEY = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT_KEY = 'node.kubernetes.io/unreachable';
export const UNSCHEDULABLE_TAINT_KEY = 'node.kubernetes.io/unschedulable';
export const NODE_STATUS_UNKNOWN_REASON = 'NodeStatusUnknown';
export const NODE_STATUS_UNKNOWN_MESSAGE = 'Kubelet stopped posting node status.';

/** The NoExecute taints this controller owns; they mirror Ready False and Unknown. */
export type NoExecuteTaintKey = typeof NOT_READY_TAINT_KEY | typeof UNREACHABLE_TAINT_KEY;

/** TaintNodesByCondition: the NoSchedule taint for a condition type in a given status. */
export const CONDITION_TAINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: NOT_READY_TAINT_KEY, Unknown: UNREACHABLE_TAINT_KEY },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
};

/** Keys of the NoSchedule taints this controller owns: whatever else a node carries is not its. */
const NO_SCHEDULE_KEYS: ReadonlySet<string> = new Set([...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)), UNSCHEDULABLE_TAINT_KEY]);

/** The conditions a silent node's agent owns, made Unknown (NetworkUnavailable is not its). */
const AGENT_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export interface NodeLifecycleOptions {
  /** A node silent this long is Unknown and tainted (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** How long pods without a toleration of the taint stay (default 300 s). */
  podEvictionTimeoutMs?: number;
  /** Nodes tainted for eviction per second (default 0.1, burst 1). */
  evictionQps?: number;
  /** A cluster of at least 3 nodes with more than this fraction unhealthy is disrupted (0.55). */
  unhealthyThreshold?: number;
}

/** A token bucket on the controller's clock: `take(now)` returns 0 if a token was taken,
 * otherwise the ms until one will be there. */
export class TokenBucket {
  private tokens: number;
  private last: number | undefined;
  constructor(
    private readonly qps: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  take(now: number): number {
    if (this.last !== undefined) this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.qps) * 1000);
  }
}

/** Kubernetes' zone state for one zone: disrupted when all nodes are unhealthy, or more than
 * `threshold` of them with at least 3 nodes. */
export function isDisrupted(total: number, unhealthy: number, threshold = 0.55): boolean {
  if (total === 0 || unhealthy === 0) return false;
  return unhealthy === total || (total >= 3 && unhealthy / total > threshold);
}

function taintsOf(node: KubeObject): Taint__Output[] {
  return (node.spec as NodeSpec__Output | undefined)?.taints ?? [];
}

function readyOf(node: KubeObject): Condition__Output | undefined {
  return ((node.status ?? {}) as NodeStatus__Output).conditions?.find((c) => c.type === 'Ready');
}

function isNoExecuteTaint(t: Taint__Output): boolean {
  return t.effect === 'NoExecute' && (t.key === NOT_READY_TAINT_KEY || t.key === UNREACHABLE_TAINT_KEY);
}

function isNoScheduleTaint(t: Taint__Output): boolean {
  return t.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(t.key ?? '');
}

/** The controller's NoExecute taint on the node, if any. */
function noExecuteTaintOf(node: KubeObject): Taint__Output | undefined {
  return taintsOf(node).find(isNoExecuteTaint);
}

/** The keys of the NoSchedule taints the node's conditions and cordon call for. */
export function conditionTaintKeys(node: KubeObject): string[] {
  const keys: string[] = [];
  for (const c of ((node.status ?? {}) as NodeStatus__Output).conditions ?? []) {
    const key = CONDITION_TAINTS[c.type ?? '']?.[c.status ?? ''];
    if (key && !keys.includes(key)) keys.push(key);
  }
  if ((node.spec as NodeSpec__Output | undefined)?.unschedulable) keys.push(UNSCHEDULABLE_TAINT_KEY);
  return keys;
}

/**
 * The node's taints with the controller's own brought up to date: the NoSchedule taints its
 * conditions and cordon call for, and `noExecute` as the one NoExecute taint ('none': neither,
 * 'keep': leave them as they are). Taints kept keep their timeAdded and order; new ones are
 * appended stamped `now`; other taints (a user's, the agent's) are never touched.
 */
export function nextTaints(node: KubeObject, noExecute: NoExecuteTaintKey | 'none' | 'keep', now: string): Taint__Output[] {
  const wanted = conditionTaintKeys(node);
  const next: Taint__Output[] = [];
  const kept = new Set<string>();
  for (const t of taintsOf(node)) {
    const id = `${t.key ?? ''}:${t.effect ?? ''}`;
    if (isNoScheduleTaint(t)) {
      if (!wanted.includes(t.key ?? '') || kept.has(id)) continue;
    } else if (isNoExecuteTaint(t)) {
      if (noExecute !== 'keep' && (t.key !== noExecute || kept.has(id))) continue;
    }
    kept.add(id);
    next.push(t);
  }
  for (const key of wanted) if (!kept.has(`${key}:NoSchedule`)) next.push({ key, effect: 'NoSchedule', timeAdded: now });
  if (noExecute !== 'none' && noExecute !== 'keep' && !kept.has(`${noExecute}:NoExecute`)) next.push({ key: noExecute, effect: 'NoExecute', timeAdded: now });
  return next;
}

/** Kubernetes' ToleratesTaint: an empty effect matches every effect, an empty key with Exists
 * every key; Exists ignores the value, Equal (the default) compares it. */
export function toleratesTaint(t: Toleration__Output, taint: Taint__Output): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator || 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return !!t.key && (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

/** How long (ms) `pod` may stay on a node with `taint`: the shortest tolerationSeconds of its
 * matching tolerations, Infinity if one tolerates it for ever, `defaultMs` if none matches. */
export function tolerationMs(pod: KubeObject, taint: Taint__Output, defaultMs: number): number {
  const matching = ((pod.spec as PodSpec__Output | undefined)?.tolerations ?? []).filter((t) => toleratesTaint(t, taint));
  if (!matching.length) return defaultMs;
  let ms = Infinity;
  for (const t of matching) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    ms = Math.min(ms, Math.max(0, Number(t.tolerationSeconds)) * 1000);
  }
  return ms;
}

export function nodeLifecycleController(opts: NodeLifecycleOptions = {}): Controller {
  const graceMs = opts.nodeMonitorGracePeriodMs ?? 40_000;
  const evictionMs = opts.podEvictionTimeoutMs ?? 300_000;
  const threshold = opts.unhealthyThreshold ?? 0.55;
  return {
    name: 'node-lifecycle',
    workers: 2,
    setup(ctx: ControllerContext, queue) {
      const { client, logger } = ctx;
      const nodes = ctx.informer('Node');
      const leases = ctx.informer('Lease');
      const pods = ctx.informer('Pod');
      const events = new EventRecorder(client, { component: 'node-controller', now: () => ctx.now() });
      /** node → what we last saw of its heartbeats and when (our clock). */
      const probes = new Map<string, { signature: string; at: number; renewed: boolean }>();
      /** node → when its current run of NoExecute taints began, by this process's clock (ms
       * precision; timeAdded has seconds). A swap keeps it: the eviction clock runs on. */
      const taintedAt = new Map<string, number>();
      /** node → keys of the pods bound to it. */
      const podsByNode = new Map<string, Set<string>>();
      const podNode = new Map<string, string>();
      /** Nodes whose Node object was deleted: their pods are force-deleted. */
      const deletedNodes = new Set<string>();
      const limiter = new TokenBucket(opts.evictionQps ?? 0.1, 1);
      let disrupted = false;

      const unindexPod = (key: string): void => {
        const n = podNode.get(key);
        if (n === undefined) return;
        podNode.delete(key);
        const set = podsByNode.get(n);
        set?.delete(key);
        if (set?.size === 0) podsByNode.delete(n);
      };
      const indexPod = (pod: KubeObject): void => {
        const key = keyOf(pod);
        const n = (pod.spec as PodSpec__Output | undefined)?.nodeName ?? '';
        if (podNode.get(key) === n) return;
        unindexPod(key);
        if (!n) return;
        podNode.set(key, n);
        let set = podsByNode.get(n);
        if (!set) podsByNode.set(n, (set = new Set()));
        set.add(key);
      };
      const onPod = (pod: KubeObject): void => {
        indexPod(pod);
        const n = (pod.spec as PodSpec__Output | undefined)?.nodeName;
        // A pod bound to a node with a NoExecute taint needs an eviction timer.
        const node = n ? nodes.get('', n) : undefined;
        if (node && noExecuteTaintOf(node)) queue.add(n!);
      };
      pods.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p), onDelete: (p) => unindexPod(keyOf(p)) });
      nodes.addEventHandler({
        onAdd: (n) => queue.add(n.metadata?.name ?? ''),
        onUpdate: (_o, n) => queue.add(n.metadata?.name ?? ''),
        onDelete: (n) => {
          const name = n.metadata?.name ?? '';
          probes.delete(name);
          taintedAt.delete(name);
          deletedNodes.add(name);
          queue.add(name);
        },
      });
      const onLease = (l: KubeObject): void => {
        if (l.metadata?.namespace === NODE_LEASE_NAMESPACE && nodes.get('', l.metadata.name ?? '')) queue.add(l.metadata.name ?? '');
      };
      leases.addEventHandler({ onAdd: onLease, onUpdate: (_o, l) => onLease(l), onDelete: onLease });

      /** Marks the agent's conditions Unknown; false if they already were in the store. */
      const markUnknown = async (name: string): Promise<boolean> =>
        retryOnConflict(async () => {
          const fresh = await client.get('Node', '', name);
          const status = (fresh.status ?? {}) as NodeStatus__Output;
          const now = timestamp(ctx.now());
          const conditions: Condition__Output[] = (status.conditions ?? []).map((c) =>
            c.status === 'Unknown' || !AGENT_CONDITIONS.includes(c.type ?? '')
              ? c
              : { ...c, status: 'Unknown', reason: NODE_STATUS_UNKNOWN_REASON, message: NODE_STATUS_UNKNOWN_MESSAGE, lastTransitionTime: now },
          );
          if (!conditions.some((c) => c.type === 'Ready')) {
            conditions.push({ type: 'Ready', status: 'Unknown', reason: NODE_STATUS_UNKNOWN_REASON, message: NODE_STATUS_UNKNOWN_MESSAGE, lastTransitionTime: now });
          }
          // Our cache may lag our own write: do not write the same again.
          if (deepEqual(conditions, status.conditions ?? [])) return false;
          await client.updateStatus({ ...fresh, status: { ...status, conditions } });
          return true;
        });

      /**
       * Writes the node's taints as nextTaints() has them. The cached node decides whether
       * anything is to be written, so a heartbeat costs no API call; a write reads the node
       * fresh (its NoSchedule taints follow the stored conditions), and so does every pass after
       * `markedUnknown`, whose Unknown the cache may not have yet. Returns the taints before and
       * after; equal when nothing needed writing.
       */
      const syncTaints = async (
        cached: KubeObject,
        noExecute: NoExecuteTaintKey | 'none' | 'keep',
        markedUnknown: boolean,
      ): Promise<{ before: Taint__Output[]; after: Taint__Output[] }> => {
        const before = taintsOf(cached);
        if (!markedUnknown && deepEqual(before, nextTaints(cached, noExecute, timestamp(ctx.now())))) return { before, after: before };
        return retryOnConflict(async () => {
          const name = cached.metadata?.name ?? '';
          const fresh = await client.get('Node', '', name);
          const spec = (fresh.spec ?? {}) as NodeSpec__Output;
          const before = spec.taints ?? [];
          const after = nextTaints(fresh, noExecute, timestamp(ctx.now()));
          if (!deepEqual(before, after)) await client.update({ ...fresh, spec: { ...spec, taints: after } });
          return { before, after };
        });
      };

      /** A graceful delete only (never grace 0: the containers may still run behind a partition). */
      const evict = async (pod: KubeObject, taintKey: string): Promise<void> => {
        const ns = pod.metadata?.namespace ?? 'default';
        const name = pod.metadata?.name ?? '';
        const why = taintKey === NOT_READY_TAINT_KEY ? 'not-ready' : 'unreachable';
        logger.info(`node-lifecycle: evicting pod ${ns}/${name} from ${why} node ${(pod.spec as PodSpec__Output | undefined)?.nodeName ?? ''}`);
        void events.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ns}/${name}`);
        try {
          await client.delete('Pod', ns, name);
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      };

      /** The node was deleted: nothing will ever finish its pods' termination. */
      const forceDeletePods = async (nodeName: string): Promise<void> => {
        for (const key of [...(podsByNode.get(nodeName) ?? [])]) {
          const pod = pods.getByKey(key);
          if (!pod) continue;
          const ns = pod.metadata?.namespace ?? 'default';
          const name = pod.metadata?.name ?? '';
          logger.info(`node-lifecycle: force-deleting pod ${ns}/${name} of deleted node ${nodeName}`);
          try {
            await client.delete('Pod', ns, name, { gracePeriodSeconds: 0 });
          } catch (err) {
            if (!(err instanceof NotFoundError)) throw err;
          }
        }
      };

      /** Updates and returns what we last saw of the node's heartbeats (our clock). */
      const observe = (node: KubeObject, now: number): { signature: string; at: number; renewed: boolean } => {
        const name = node.metadata?.name ?? '';
        const lease = leases.get(NODE_LEASE_NAMESPACE, name) as Lease__Output | undefined;
        const signature = `${lease?.spec?.renewTime ?? ''}|${readyOf(node)?.lastHeartbeatTime ?? ''}`;
        let probe = probes.get(name);
        // `renewed`: a heartbeat seen to change, not just the first look after a (re)start.
        if (!probe || probe.signature !== signature) probes.set(name, (probe = { signature, at: now, renewed: !!probe }));
        return probe;
      };

      /** Unhealthy for disruption mode: silent past the grace period, or reporting Ready=False.
       * (A stale Unknown seen only since a restart is neither yet: the grace period decides.) */
      const unhealthy = (node: KubeObject, now: number): boolean => now - observe(node, now).at >= graceMs || readyOf(node)?.status === 'False';

      /** Whether the cluster is in disruption mode now; entering or leaving it re-queues every
       * node so that taints follow. */
      const checkDisruption = (now: number): boolean => {
        const all = nodes.list();
        const bad = all.filter((n) => unhealthy(n, now)).length;
        const next = isDisrupted(all.length, bad, threshold);
        if (next !== disrupted) {
          disrupted = next;
          if (next) logger.warn(`node-lifecycle: ${bad} of ${all.length} nodes not ready or silent; entering disruption mode: no NoExecute taints, no evictions`);
          else logger.info('node-lifecycle: leaving disruption mode; evictions resume');
          for (const n of all) if (n.metadata?.name) queue.add(n.metadata.name);
        }
        return next;
      };

      return async (name: string): Promise<ReconcileResult | void> => {
        const node = nodes.get('', name);
        if (!node) {
          if (deletedNodes.has(name)) {
            await forceDeletePods(name);
            deletedNodes.delete(name);
          }
          return;
        }
        deletedNodes.delete(name);
        const now = ctx.now();
        const probe = observe(node, now);
        const ready = readyOf(node);
        const silentMs = now - probe.at;
        const silent = silentMs >= graceMs;
        const current = noExecuteTaintOf(node);
        const disruption = checkDisruption(now);
        /** When to look again (ms); Infinity: only on a change. */
        let requeue = Infinity;

        // The NoExecute taint that Ready calls for, as this controller judges it.
        let want: NoExecuteTaintKey | 'none' | 'keep';
        let markedUnknown = false;
        if (silent) {
          if (ready?.status !== 'Unknown') {
            logger.warn(`node-lifecycle: node ${name} silent for ${Math.round(silentMs / 1000)}s; marking it Unknown`);
            markedUnknown = await markUnknown(name);
          }
          want = UNREACHABLE_TAINT_KEY;
        } else {
          // Look again when the grace period would run out (a heartbeat re-enqueues sooner).
          requeue = graceMs - silentMs + 100;
          if (ready?.status === 'False') want = NOT_READY_TAINT_KEY;
          // Ready=True; or a node whose heartbeat was seen to change while Ready still reads
          // the Unknown we wrote: it is back, and its agent sets Ready again at its next sync.
          else if (ready?.status === 'True' || probe.renewed) want = 'none';
          // A stale Unknown seen only since a (re)start: wait for a heartbeat or the grace period.
          else want = 'keep';
        }
        if (disruption) {
          // Too many unhealthy at once: trust no verdict, evict nothing (Kubernetes removes the
          // taints too, so that nothing that tolerates them for a while runs out).
          if (want !== 'none' && want !== 'keep') requeue = Math.min(requeue, graceMs);
          want = 'none';
        } else if (want !== 'none' && want !== 'keep' && !current && !taintedAt.has(name)) {
          // A new NoExecute taint (not a swap of one for the other, nor one we wrote that the
          // cache has yet to show) waits for the limiter.
          const wait = limiter.take(now);
          if (wait > 0) {
            want = 'keep';
            requeue = Math.min(requeue, wait);
          }
        }

        const { before, after } = await syncTaints(node, want, markedUnknown);
        const was = before.find(isNoExecuteTaint);
        const taint = after.find(isNoExecuteTaint);
        if (!taint) {
          if (was) logger.info(`node-lifecycle: ${disruption ? 'disruption mode; ' : `node ${name} is ready again; `}taint ${was.key ?? ''}:NoExecute removed from ${name}`);
          taintedAt.delete(name);
        } else if (!was) {
          taintedAt.set(name, now);
          const why = taint.key === NOT_READY_TAINT_KEY ? `reports Ready=False${ready?.reason ? ` (${ready.reason})` : ''}` : 'not ready';
          void events.record(node, 'Normal', 'NodeNotReady', `Node ${name} ${why}; evicting its pods in ${Math.round(evictionMs / 1000)}s`);
        } else if (was.key !== taint.key) {
          logger.info(`node-lifecycle: node ${name} Ready=${silent ? 'Unknown' : (ready?.status ?? '')}; taint ${was.key ?? ''}:NoExecute swapped for ${taint.key ?? ''}:NoExecute`);
          if (!taintedAt.has(name)) taintedAt.set(name, parseTime(was.timeAdded) ?? now);
        }
        // No taint; or one this process has not confirmed since it started (a stale Unknown
        // inside the grace period), whose eviction clock it does not trust yet.
        if (!taint || want === 'keep') return Number.isFinite(requeue) ? { requeueAfter: requeue } : undefined;

        const since = taintedAt.get(name) ?? parseTime(taint.timeAdded) ?? now;
        const probeTaint: Taint__Output = { key: taint.key, effect: 'NoExecute' };
        for (const key of [...(podsByNode.get(name) ?? [])]) {
          const pod = pods.getByKey(key);
          // Already evicted (terminating): nothing more to do here.
          if (!pod || pod.metadata?.deletionTimestamp) continue;
          const evictAt = since + tolerationMs(pod, probeTaint, evictionMs);
          if (evictAt <= now) await evict(pod, taint.key ?? '');
          else requeue = Math.min(requeue, Math.max(50, evictAt - now));
        }
        return Number.isFinite(requeue) ? { requeueAfter: requeue } : undefined;
      };
    },
  };
}
