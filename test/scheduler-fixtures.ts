// Hand-built nodes and pods for the scheduler's unit tests.
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { PodSpec__Output } from '../lib/gen/shoal/v1/PodSpec.js';
import type { Taint__Output } from '../lib/gen/shoal/v1/Taint.js';
import type { Toleration__Output } from '../lib/gen/shoal/v1/Toleration.js';
import { SchedulerCache } from '../services/scheduler/cache.js';
import { CycleState, NodeInfo, podInfo, type PodInfo, type ScorePlugin, type Snapshot } from '../services/scheduler/framework.js';

export interface TestNode {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint__Output[];
  unschedulable?: boolean;
  ready?: 'True' | 'False' | 'Unknown' | 'absent';
}

export function node(name: string, t: TestNode = {}): Node__Output {
  const allocatable: Record<string, string> = { cpu: t.cpu ?? '4', memory: t.memory ?? '8Gi', pods: t.pods ?? '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...t.labels } },
    spec: { unschedulable: t.unschedulable ?? false, taints: t.taints ?? [] },
    status: {
      allocatable,
      capacity: allocatable,
      conditions: t.ready === 'absent' ? [] : [{ type: 'Ready', status: t.ready ?? 'True' }],
    },
  };
}

export interface TestPod {
  namespace?: string;
  requests?: Record<string, string>;
  initRequests?: Record<string, string>;
  labels?: Record<string, string>;
  owner?: string;
  nodeName?: string;
  tolerations?: Toleration__Output[];
  nodeSelector?: Record<string, string>;
  affinity?: PodSpec__Output['affinity'];
  deleting?: boolean;
  priority?: number;
}

export function pod(name: string, t: TestPod = {}): Pod__Output {
  const spec: PodSpec__Output = {
    containers: [{ name: 'main', image: 'busybox', resources: t.requests ? { requests: t.requests } : {} }],
    schedulerName: 'default-scheduler',
  };
  if (t.initRequests) spec.initContainers = [{ name: 'init', image: 'busybox', resources: { requests: t.initRequests } }];
  if (t.nodeName) spec.nodeName = t.nodeName;
  if (t.tolerations) spec.tolerations = t.tolerations;
  if (t.nodeSelector) spec.nodeSelector = t.nodeSelector;
  if (t.affinity) spec.affinity = t.affinity;
  if (t.priority !== undefined) spec.priority = t.priority;
  const namespace = t.namespace ?? 'default';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: `uid-${namespace}-${name}`,
      labels: t.labels ?? {},
      ownerReferences: t.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: t.owner, controller: true }] : [],
      ...(t.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec,
    status: { phase: 'Pending' },
  };
}

/** A NodeInfo holding the given (bound) pods. */
export function nodeInfo(n: Node__Output, pods: Pod__Output[] = []): NodeInfo {
  const info = new NodeInfo(n.metadata?.name ?? '', n);
  for (const p of pods) info.addPod(podInfo(p));
  return info;
}

/** A cache with these nodes and bound pods (each pod's spec.nodeName says where), and these
 * namespaces with their labels ("default" is always there, unlabelled). */
export function cacheWith(nodes: Node__Output[], pods: Pod__Output[] = [], namespaces: Record<string, Record<string, string>> = {}): SchedulerCache {
  const c = new SchedulerCache();
  c.setNamespace('default', {});
  for (const [name, labels] of Object.entries(namespaces)) c.setNamespace(name, labels);
  for (const n of nodes) c.setNode(n);
  for (const p of pods) c.addOrUpdatePod(p);
  return c;
}

/** Runs a score plugin as the framework does: preScore, score per node, normalize. */
export function scores(plugin: ScorePlugin, p: Pod__Output, nodes: NodeInfo[], snapshot: Snapshot = cacheWith([])): number[] {
  const state = new CycleState();
  const info = podInfo(p);
  plugin.preScore?.(state, info, nodes, snapshot);
  const out = nodes.map((n) => plugin.score(state, info, n));
  plugin.normalize?.(state, out);
  return out;
}

export function fresh(): CycleState {
  return new CycleState();
}

export type { PodInfo };
export { podInfo };
