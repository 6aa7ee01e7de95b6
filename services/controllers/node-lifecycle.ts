// The node lifecycle controller (kube-controller-manager's nodelifecycle with its taint
// manager): notices nodes whose agent went silent and moves their pods away.
//
// - Liveness is the node's Lease (shoal-system/<node>, renewed by the agent every 10 s) and
//   the heartbeat of its Ready condition. As Kubernetes does, the controller times silence by
//   its own clock from when it last *saw* either change (the "probe timestamp"), so clock skew
//   between machines does not matter; a controller that just started gives every node a full
//   grace period.
// - Silent for nodeMonitorGracePeriod: every node condition becomes Unknown (Ready: reason
//   NodeStatusUnknown), the node is tainted node.kubernetes.io/unreachable:NoExecute, and an
//   Event says "Node n2 not ready; evicting its pods in 300s".
// - Disruption mode (Kubernetes' zone states, one zone): when every node is silent, or more
//   than unhealthyZoneThreshold (55%) of at least 3 nodes are, the likelier cause is our own
//   view (a stalled watch, a partition of the control plane) rather than that many dead
//   machines. Silent nodes are still marked Unknown, but none is tainted, existing unreachable
//   taints are removed, and nothing is evicted until the cluster is healthy again.
// - Tainting (and so eviction) is rate-limited per node, as the eviction limiter is: a token
//   bucket of evictionQps (0.1 node/s) with a burst of 1.
// - A pod on a tainted node is evicted when its toleration of that taint runs out:
//   tolerationSeconds of a matching toleration (none: forever), and without a matching
//   toleration the default podEvictionTimeout (what the DefaultTolerationSeconds admission
//   adds in Kubernetes). The eviction is a graceful delete only: the node may merely be
//   partitioned with its containers still running, and the pod's name must not be freed for a
//   duplicate while they might be. Its owner replaces it elsewhere (terminating pods are not
//   counted). Only when the Node object itself is deleted are its pods force-deleted (grace 0),
//   as Kubernetes' pod garbage collector does for orphaned pods.
// - A lease renewed again removes the taint; the agent sets Ready=True itself.
// Timers are work-queue delays (requeueAfter), not polling loops.
import { retryOnConflict } from '../../lib/client.js';
import { timestamp } from '../../lib/conditions.js';
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
import type { ReconcileResult } from '../../lib/workqueue.js';
import { keyOf, type Controller, type ControllerContext } from './framework.js';

export const NODE_LEASE_NAMESPACE = 'shoal-system';
export const UNREACHABLE_TAINT_KEY = 'node.kubernetes.io/unreachable';
export const NODE_STATUS_UNKNOWN_REASON = 'NodeStatusUnknown';
export const NODE_STATUS_UNKNOWN_MESSAGE = 'Kubelet stopped posting node status.';

export interface NodeLifecycleOptions {
  /** A node silent this long is Unknown and tainted (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** How long pods without a toleration of the taint stay (default 300 s). */
  podEvictionTimeoutMs?: number;
  /** Nodes tainted for eviction per second (default 0.1, burst 1). */
  evictionQps?: number;
  /** A cluster of at least 3 nodes with more than this fraction silent is disrupted (0.55). */
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

/** Kubernetes' zone state for one zone: disrupted when all nodes are not ready, or more than
 * `threshold` of them with at least 3 nodes. */
export function isDisrupted(total: number, silent: number, threshold = 0.55): boolean {
  if (total === 0 || silent === 0) return false;
  return silent === total || (total >= 3 && silent / total > threshold);
}

function taintsOf(node: KubeObject): Taint__Output[] {
  return (node.spec as NodeSpec__Output | undefined)?.taints ?? [];
}

function isUnreachableTaint(t: Taint__Output): boolean {
  return t.key === UNREACHABLE_TAINT_KEY && t.effect === 'NoExecute';
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
      /** node → when this process tainted it (ms precision; timeAdded has seconds). */
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
        // A pod bound to a node that is tainted unreachable needs an eviction timer.
        const node = n ? nodes.get('', n) : undefined;
        if (node && taintsOf(node).some(isUnreachableTaint)) queue.add(n!);
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

      const markUnknown = async (name: string): Promise<void> => {
        await retryOnConflict(async () => {
          const fresh = await client.get('Node', '', name);
          const status = (fresh.status ?? {}) as NodeStatus__Output;
          const now = timestamp(ctx.now());
          const conditions: Condition__Output[] = (status.conditions ?? []).map((c) =>
            c.status === 'Unknown' ? c : { ...c, status: 'Unknown', reason: NODE_STATUS_UNKNOWN_REASON, message: NODE_STATUS_UNKNOWN_MESSAGE, lastTransitionTime: now },
          );
          if (!conditions.some((c) => c.type === 'Ready')) {
            conditions.push({ type: 'Ready', status: 'Unknown', reason: NODE_STATUS_UNKNOWN_REASON, message: NODE_STATUS_UNKNOWN_MESSAGE, lastTransitionTime: now });
          }
          await client.updateStatus({ ...fresh, status: { ...status, conditions } });
        });
      };

      /** Adds or removes the unreachable taint; true if it changed something. */
      const setTaint = async (name: string, want: boolean): Promise<boolean> => {
        let changed = false;
        await retryOnConflict(async () => {
          const fresh = await client.get('Node', '', name);
          const spec = (fresh.spec ?? {}) as NodeSpec__Output;
          const taints = spec.taints ?? [];
          const has = taints.some(isUnreachableTaint);
          if (has === want) return;
          const next = want
            ? [...taints, { key: UNREACHABLE_TAINT_KEY, effect: 'NoExecute', timeAdded: timestamp(ctx.now()) }]
            : taints.filter((t) => !isUnreachableTaint(t));
          await client.update({ ...fresh, spec: { ...spec, taints: next } });
          changed = true;
        });
        return changed;
      };

      /** A graceful delete only (never grace 0: the containers may still run behind a partition). */
      const evict = async (pod: KubeObject): Promise<void> => {
        const ns = pod.metadata?.namespace ?? 'default';
        const name = pod.metadata?.name ?? '';
        logger.info(`node-lifecycle: evicting pod ${ns}/${name} from unreachable node ${(pod.spec as PodSpec__Output | undefined)?.nodeName ?? ''}`);
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
        const ready = ((node.status ?? {}) as NodeStatus__Output).conditions?.find((c) => c.type === 'Ready');
        const signature = `${lease?.spec?.renewTime ?? ''}|${ready?.lastHeartbeatTime ?? ''}`;
        let probe = probes.get(name);
        // `renewed`: a heartbeat seen to change, not just the first look after a (re)start.
        if (!probe || probe.signature !== signature) probes.set(name, (probe = { signature, at: now, renewed: !!probe }));
        return probe;
      };

      /** Whether the cluster is in disruption mode now; entering or leaving it re-queues every
       * node so that taints follow. */
      const checkDisruption = (now: number): boolean => {
        const all = nodes.list();
        const silent = all.filter((n) => now - observe(n, now).at >= graceMs).length;
        const next = isDisrupted(all.length, silent, threshold);
        if (next !== disrupted) {
          disrupted = next;
          if (next) logger.warn(`node-lifecycle: ${silent} of ${all.length} nodes silent; entering disruption mode: no taints, no evictions`);
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
        const ready = ((node.status ?? {}) as NodeStatus__Output).conditions?.find((c) => c.type === 'Ready');
        const silentMs = now - probe.at;
        const taint = taintsOf(node).find(isUnreachableTaint);
        const disruption = checkDisruption(now);

        if (silentMs < graceMs) {
          if (taint && probe.renewed) {
            if (await setTaint(name, false)) logger.info(`node-lifecycle: node ${name} is reachable again; taint ${UNREACHABLE_TAINT_KEY} removed`);
            taintedAt.delete(name);
          }
          // Look again when the grace period would run out (a renewal re-enqueues sooner).
          return { requeueAfter: graceMs - silentMs + 100 };
        }

        if (ready?.status !== 'Unknown') {
          logger.warn(`node-lifecycle: node ${name} silent for ${Math.round(silentMs / 1000)}s; marking it Unknown`);
          await markUnknown(name);
        }
        if (disruption) {
          // Too many silent at once: trust no verdict, evict nothing (Kubernetes removes the
          // taints too, so that nothing that tolerates them for a while runs out).
          if (taint && (await setTaint(name, false))) logger.info(`node-lifecycle: disruption mode; taint ${UNREACHABLE_TAINT_KEY} removed from ${name}`);
          taintedAt.delete(name);
          return { requeueAfter: graceMs };
        }
        if (!taint) {
          const wait = limiter.take(now);
          if (wait > 0) return { requeueAfter: wait };
          if (await setTaint(name, true)) {
            taintedAt.set(name, now);
            void events.record(node, 'Normal', 'NodeNotReady', `Node ${name} not ready; evicting its pods in ${Math.round(evictionMs / 1000)}s`);
          }
        }
        const parsed = Date.parse(taint?.timeAdded ?? '');
        const since = taintedAt.get(name) ?? (Number.isFinite(parsed) ? parsed : now);
        const probeTaint: Taint__Output = taint ?? { key: UNREACHABLE_TAINT_KEY, effect: 'NoExecute' };
        let next = Infinity;
        for (const key of [...(podsByNode.get(name) ?? [])]) {
          const pod = pods.getByKey(key);
          // Already evicted (terminating): nothing more to do here.
          if (!pod || pod.metadata?.deletionTimestamp) continue;
          const evictAt = since + tolerationMs(pod, probeTaint, evictionMs);
          if (evictAt <= now) await evict(pod);
          else next = Math.min(next, evictAt);
        }
        return Number.isFinite(next) ? { requeueAfter: Math.max(50, next - now) } : undefined;
      };
    },
  };
}
