// The scheduling framework (after kube-scheduler's): plugins behind small interfaces, a
// per-attempt CycleState, and one synchronous scheduling cycle per pod that runs PreFilter,
// Filter, PreScore, Score and NormalizeScore, then picks the best node.
//
// The cycle is synchronous on purpose: Node's event loop cannot deliver an informer event in
// the middle of it, so the cache it reads is a consistent snapshot without copying.
import type { Node__Output } from '../../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import type { PodAffinity__Output } from '../../lib/gen/shoal/v1/PodAffinity.js';
import type { PodAffinityTerm__Output } from '../../lib/gen/shoal/v1/PodAffinityTerm.js';
import type { PodAntiAffinity__Output } from '../../lib/gen/shoal/v1/PodAntiAffinity.js';
import type { Toleration__Output } from '../../lib/gen/shoal/v1/Toleration.js';
import type { WeightedPodAffinityTerm__Output } from '../../lib/gen/shoal/v1/WeightedPodAffinityTerm.js';
import { parseQuantity } from '../../lib/quantity.js';
import { labelSelectorRequirements, matchesLabels, type LabelRequirements } from '../../lib/selectors.js';

// ---- statuses ----

/** Success, an expected rejection (Unschedulable, carrying reasons for the user), or a
 * plugin's internal failure (Error: the attempt is retried with backoff). */
export type StatusCode = 'Success' | 'Unschedulable' | 'Error';

export interface Status {
  readonly code: StatusCode;
  /** Human reasons, e.g. "Insufficient cpu"; aggregated per node into the pod's message. */
  readonly reasons: readonly string[];
  /** The plugin that returned it (filled in by the framework). */
  readonly plugin?: string;
}

export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: [] });

export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}

export function errorStatus(message: string): Status {
  return { code: 'Error', reasons: [message] };
}

// ---- resources ----

/** Resource amounts by name: "cpu" in millicores, "memory" (and every other) in base units. */
export type Resources = Record<string, number>;

/** Requests counted for scoring when a container asks for nothing (kube's non-zero defaults),
 * so a node full of request-less pods does not look empty. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** A quantity in the unit Resources keeps for `name` (millicores for cpu), rounded up as
 * Kubernetes does; 0 if it does not parse. */
export function quantityValue(name: string, q: string | undefined): number {
  if (q === undefined) return 0;
  const v = parseQuantity(q);
  if (v === undefined || !(v > 0)) return 0;
  // The epsilon keeps 0.1 * 1000 from rounding up to 101.
  return name === 'cpu' ? Math.ceil(v * 1000 - 1e-9) : Math.ceil(v - 1e-9);
}

function addResources(into: Resources, from: Resources, sign = 1): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + sign * v;
}

// ---- pods ----

/** A pod (anti-)affinity term, parsed once per pod (kube-scheduler's framework.AffinityTerm). */
export interface AffinityTerm {
  topologyKey: string;
  /** The namespaces listed in the term; the declaring pod's own when neither `namespaces`
   * nor a namespaceSelector is given. */
  namespaces: ReadonlySet<string>;
  /** The namespaceSelector: undefined selects no namespace, an empty one every namespace. A
   * pod is in the term's scope if its namespace is listed or selected. */
  namespaceSelector: LabelRequirements | undefined;
  /** undefined: a nil labelSelector, which matches no pod. */
  selector: LabelRequirements | undefined;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

/** What the plugins need of a pod, computed once per pod object (see podInfo). Read-only. */
export interface PodInfo {
  readonly key: string;
  readonly pod: Pod__Output;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly labels: Readonly<Record<string, string>>;
  /** max(sum of containers, each init container), as Kubernetes computes it; no "pods". */
  readonly requests: Readonly<Resources>;
  /** The names in `requests` with a positive amount: cpu, memory, then the rest sorted. */
  readonly requestNames: readonly string[];
  /** cpu and memory with the non-zero defaults, for scoring. */
  readonly nonZeroRequests: { readonly cpu: number; readonly memory: number };
  /** Pods with the same key belong together for spreading: the controller's uid, or the
   * namespace and labels of a pod with no controller; undefined for an unlabelled bare pod. */
  readonly ownerKey: string | undefined;
  readonly tolerations: readonly Toleration__Output[];
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly WeightedAffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAntiAffinity: readonly WeightedAffinityTerm[];
  /** It declares any pod affinity or anti-affinity term (see NodeInfo.podsWithAffinity). */
  readonly hasPodAffinityTerms: boolean;
  /** Terminating pods still hold resources but no longer count for spreading. */
  readonly terminating: boolean;
}

function containerRequests(c: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }): Resources {
  const out: Resources = {};
  // Bare pods have requests defaulted from limits by the API; templates' pods get the same.
  const q = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
  for (const [name, value] of Object.entries(q)) {
    const v = quantityValue(name, value);
    if (v > 0) out[name] = v;
  }
  return out;
}

function parseTerm(term: PodAffinityTerm__Output | undefined, ownNamespace: string): AffinityTerm | undefined {
  if (!term?.topologyKey) return undefined;
  const listed = term.namespaces ?? [];
  const nsSel = term.namespaceSelector;
  return {
    topologyKey: term.topologyKey,
    namespaces: new Set(listed.length === 0 && !nsSel ? [ownNamespace] : listed),
    namespaceSelector: nsSel ? labelSelectorRequirements(nsSel) : undefined,
    selector: term.labelSelector ? labelSelectorRequirements(term.labelSelector) : undefined,
  };
}

function parseTerms(
  terms: { required?: PodAffinityTerm__Output[]; preferred?: WeightedPodAffinityTerm__Output[] } | undefined,
  ownNamespace: string,
): { required: AffinityTerm[]; preferred: WeightedAffinityTerm[] } {
  const required: AffinityTerm[] = [];
  for (const t of terms?.required ?? []) {
    const term = parseTerm(t, ownNamespace);
    if (term) required.push(term);
  }
  const preferred: WeightedAffinityTerm[] = [];
  for (const w of terms?.preferred ?? []) {
    const term = parseTerm(w.podAffinityTerm, ownNamespace);
    if (term && (w.weight ?? 0) > 0) preferred.push({ ...term, weight: w.weight ?? 0 });
  }
  return { required, preferred };
}

const podInfos = new WeakMap<Pod__Output, PodInfo>();

/** The PodInfo of a pod object, memoised: informer objects are replaced, never mutated. */
export function podInfo(pod: Pod__Output): PodInfo {
  const cached = podInfos.get(pod);
  if (cached) return cached;
  const m = pod.metadata ?? {};
  const spec = pod.spec ?? {};
  const namespace = m.namespace ?? '';
  const name = m.name ?? '';
  const requests: Resources = {};
  for (const c of spec.containers ?? []) addResources(requests, containerRequests(c));
  for (const c of spec.initContainers ?? []) {
    for (const [k, v] of Object.entries(containerRequests(c))) requests[k] = Math.max(requests[k] ?? 0, v);
  }
  let cpu = 0;
  let memory = 0;
  for (const c of spec.containers ?? []) {
    const r = containerRequests(c);
    cpu += r.cpu ?? DEFAULT_MILLI_CPU_REQUEST;
    memory += r.memory ?? DEFAULT_MEMORY_REQUEST;
  }
  const labels = m.labels ?? {};
  const controller = (m.ownerReferences ?? []).find((o) => o.controller && o.uid);
  let ownerKey: string | undefined;
  if (controller) ownerKey = `owner:${controller.uid}`;
  else if (Object.keys(labels).length > 0) {
    ownerKey = `labels:${namespace}/${Object.keys(labels)
      .sort()
      .map((k) => `${k}=${labels[k]}`)
      .join(',')}`;
  }
  const termsOf = (a: PodAffinity__Output | PodAntiAffinity__Output | undefined) =>
    parseTerms({ required: a?.requiredDuringSchedulingIgnoredDuringExecution, preferred: a?.preferredDuringSchedulingIgnoredDuringExecution }, namespace);
  const affinity = termsOf(spec.affinity?.podAffinity);
  const anti = termsOf(spec.affinity?.podAntiAffinity);
  const rank = (r: string): number => (r === 'cpu' ? 0 : r === 'memory' ? 1 : 2);
  const requestNames = Object.keys(requests)
    .filter((r) => r !== 'pods' && (requests[r] ?? 0) > 0)
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  const info: PodInfo = {
    key: `${namespace}/${name}`,
    pod,
    namespace,
    name,
    uid: m.uid ?? '',
    labels,
    requests,
    requestNames,
    nonZeroRequests: { cpu, memory },
    ownerKey,
    tolerations: spec.tolerations ?? [],
    requiredAffinity: affinity.required,
    preferredAffinity: affinity.preferred,
    requiredAntiAffinity: anti.required,
    preferredAntiAffinity: anti.preferred,
    hasPodAffinityTerms: affinity.required.length + affinity.preferred.length + anti.required.length + anti.preferred.length > 0,
    terminating: !!m.deletionTimestamp,
  };
  podInfos.set(pod, info);
  return info;
}

/**
 * Whether `term` selects `target`: the target's namespace is listed in the term or selected
 * by its namespaceSelector, and its labels match the labelSelector (kube's
 * AffinityTerm.Matches). `namespaceLabels` are the target namespace's labels, undefined when
 * the namespace is not known (then only an empty namespaceSelector selects it).
 */
export function termMatches(term: AffinityTerm, target: PodInfo, namespaceLabels: Readonly<Record<string, string>> | undefined): boolean {
  if (!term.selector) return false;
  if (!term.namespaces.has(target.namespace)) {
    const sel = term.namespaceSelector;
    if (!sel) return false;
    if (sel.length > 0 && (namespaceLabels === undefined || !matchesLabels(sel, namespaceLabels))) return false;
  }
  return matchesLabels(term.selector, target.labels);
}

/** Whether `target` matches every term (false for no terms), kube's podMatchesAllAffinityTerms. */
export function matchesAllTerms(terms: readonly AffinityTerm[], target: PodInfo, namespaceLabels: Readonly<Record<string, string>> | undefined): boolean {
  if (terms.length === 0) return false;
  return terms.every((t) => termMatches(t, target, namespaceLabels));
}

// ---- nodes ----

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/**
 * A node and the pods on it (bound ones from the informer, plus assumed ones), with running
 * totals. Owned and mutated by the cache between scheduling cycles; plugins only read it.
 */
export class NodeInfo {
  readonly name: string;
  /** Undefined while pods refer to a node the cache has not seen (or has seen deleted). */
  node: Node__Output | undefined;
  allocatable: Resources = {};
  readonly requested: Resources = {};
  readonly nonZeroRequested = { cpu: 0, memory: 0 };
  readonly pods = new Map<string, PodInfo>();
  /** Pods here that declare pod affinity or anti-affinity terms: the only ones whose own
   * terms can constrain or score an incoming pod. */
  readonly podsWithAffinity = new Map<string, PodInfo>();
  labels: Readonly<Record<string, string>> = {};
  /** The node's Ready condition is True. */
  ready = false;

  constructor(name: string, node?: Node__Output) {
    this.name = name;
    if (node) this.setNode(node);
  }

  setNode(node: Node__Output): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    const alloc: Resources = {};
    for (const [k, v] of Object.entries(node.status?.allocatable ?? {})) alloc[k] = quantityValue(k, v);
    this.allocatable = alloc;
    this.ready = (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  }

  /** The node's value for a topology key; a node without a hostname label is its own host. */
  topologyValue(key: string): string | undefined {
    return this.labels[key] ?? (key === HOSTNAME_LABEL ? this.name : undefined);
  }

  addPod(p: PodInfo): void {
    if (this.pods.has(p.key)) this.removePod(p.key);
    this.pods.set(p.key, p);
    addResources(this.requested, p.requests);
    this.nonZeroRequested.cpu += p.nonZeroRequests.cpu;
    this.nonZeroRequested.memory += p.nonZeroRequests.memory;
    if (p.hasPodAffinityTerms) this.podsWithAffinity.set(p.key, p);
  }

  removePod(key: string): PodInfo | undefined {
    const p = this.pods.get(key);
    if (!p) return undefined;
    this.pods.delete(key);
    this.podsWithAffinity.delete(key);
    addResources(this.requested, p.requests, -1);
    this.nonZeroRequested.cpu -= p.nonZeroRequests.cpu;
    this.nonZeroRequested.memory -= p.nonZeroRequests.memory;
    return p;
  }
}

/** The cluster as one scheduling cycle sees it. Read-only for plugins. */
export interface Snapshot {
  /** Every node the cache knows, in a stable order. */
  readonly nodes: readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Node name → how many live (non-terminating) pods with this owner key it holds. */
  ownerCounts(ownerKey: string): ReadonlyMap<string, number>;
  /** Nodes holding at least one pod with pod affinity or anti-affinity terms. */
  nodesWithAffinityPods(): Iterable<NodeInfo>;
  /** A namespace's labels (for namespaceSelectors); undefined if the namespace is unknown. */
  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined;
}

// ---- cycle state and plugins ----

/** Scratch state of one scheduling attempt: PreFilter/PreScore write it, Filter/Score read
 * it. Keys are plugin names. Never shared between attempts. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

export interface Plugin {
  readonly name: string;
}

/** Called once per attempt before any Filter. Computes what Filter reads from `state`; may
 * reject the pod outright (for every node). Synchronous; must not mutate the snapshot. */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status;
}

/** Called for each candidate node, in any order, possibly not for all of them (see
 * percentageOfNodesToScore). Pure: the same inputs give the same status. */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

/**
 * Scores feasible nodes 0..100 (after normalize). preScore runs once per attempt with the
 * feasible nodes; score once per feasible node; normalize once with every node's raw score
 * (in the order of `nodes`) and may rewrite them in place. Synchronous and pure.
 */
export interface ScorePlugin extends Plugin {
  preScore?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): void;
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  normalize?(state: CycleState, scores: number[]): void;
}

export const MAX_NODE_SCORE = 100;

/** Scales raw scores so the largest is 100 (or, reversed, so the largest is 0). */
export function defaultNormalize(scores: number[], reverse = false): void {
  let max = 0;
  for (const s of scores) max = Math.max(max, s);
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = (scores[i]! * MAX_NODE_SCORE) / max;
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

/** The plugins a profile runs, by extension point, in order. */
export interface PluginSet {
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  score: WeightedScorePlugin[];
}

// ---- the cycle ----

export type ScheduleResult =
  | { result: 'scheduled'; node: NodeInfo; feasibleNodes: number; evaluatedNodes: number }
  | { result: 'unschedulable'; message: string; statuses: ReadonlyMap<string, Status> }
  | { result: 'error'; error: Error };

export interface FrameworkOptions {
  /** Stop filtering once this share of the nodes has been found feasible (kube-scheduler's
   * percentageOfNodesToScore): 0 (default) adapts to the cluster size, 100 checks every
   * node. At least 100 feasible nodes are always looked for. */
  percentageOfNodesToScore?: number;
  /** Breaks ties among the best nodes; default Math.random. */
  random?: () => number;
}

export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE = 5;

/**
 * kube-scheduler's message for a pod no node fits: "0/3 nodes are available: 2 Insufficient
 * memory, 1 node(s) had untolerated taint {dedicated: gpu}." Each reason is counted once per
 * node that gave it; most frequent first, then alphabetically.
 */
export function fitErrorMessage(numAllNodes: number, statuses: Iterable<Status>): string {
  if (numAllNodes === 0) return NO_NODES_MESSAGE;
  const counts = new Map<string, number>();
  for (const s of statuses) {
    for (const r of new Set(s.reasons)) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  const parts = [...counts]
    .sort(([ra, ca], [rb, cb]) => cb - ca || (ra < rb ? -1 : ra > rb ? 1 : 0))
    .map(([r, c]) => `${c} ${r}`);
  return `0/${numAllNodes} nodes are available${parts.length ? `: ${parts.join(', ')}` : ''}.`;
}

/** Runs the plugins of one profile. One instance serves every attempt, one at a time. */
export class Framework {
  private readonly plugins: PluginSet;
  private readonly percentage: number;
  private readonly random: () => number;
  /** Where the next attempt starts filtering, so partial searches rotate over the nodes. */
  private nextStartNodeIndex = 0;

  constructor(plugins: PluginSet, opts: FrameworkOptions = {}) {
    this.plugins = plugins;
    this.percentage = opts.percentageOfNodesToScore ?? 0;
    this.random = opts.random ?? Math.random;
  }

  /** How many feasible nodes to look for among `numAllNodes` (kube's numFeasibleNodesToFind). */
  numFeasibleNodesToFind(numAllNodes: number): number {
    if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || this.percentage >= 100) return numAllNodes;
    let pct = this.percentage;
    if (pct <= 0) pct = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE, 50 - Math.floor(numAllNodes / 125));
    return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.floor((numAllNodes * pct) / 100));
  }

  /** One scheduling cycle for `pod` against `snapshot`. Synchronous; throws only on a bug. */
  schedule(pod: PodInfo, snapshot: Snapshot): ScheduleResult {
    const state = new CycleState();
    const all = snapshot.nodes;
    const statuses = new Map<string, Status>();
    if (all.length === 0) return { result: 'unschedulable', message: NO_NODES_MESSAGE, statuses };

    for (const p of this.plugins.preFilter) {
      const s = p.preFilter(state, pod, snapshot);
      if (s.code === 'Error') return { result: 'error', error: new Error(`${p.name}: ${s.reasons.join('; ')}`) };
      if (s.code === 'Unschedulable') {
        const st = { ...s, plugin: p.name };
        for (const n of all) statuses.set(n.name, st);
        return { result: 'unschedulable', message: fitErrorMessage(all.length, statuses.values()), statuses };
      }
    }

    const want = this.numFeasibleNodesToFind(all.length);
    const feasible: NodeInfo[] = [];
    let evaluated = 0;
    const start = this.nextStartNodeIndex % all.length;
    for (; evaluated < all.length && feasible.length < want; evaluated++) {
      const node = all[(start + evaluated) % all.length]!;
      const s = this.runFilters(state, pod, node);
      if (s.code === 'Success') feasible.push(node);
      else if (s.code === 'Error') return { result: 'error', error: new Error(`${s.plugin ?? 'filter'}: ${s.reasons.join('; ')}`) };
      else statuses.set(node.name, s);
    }
    this.nextStartNodeIndex = (start + evaluated) % all.length;
    if (feasible.length === 0) {
      return { result: 'unschedulable', message: fitErrorMessage(all.length, statuses.values()), statuses };
    }
    if (feasible.length === 1) return { result: 'scheduled', node: feasible[0]!, feasibleNodes: 1, evaluatedNodes: evaluated };
    const totals = this.scoreNodes(state, pod, feasible, snapshot);
    return { result: 'scheduled', node: this.selectHost(feasible, totals), feasibleNodes: feasible.length, evaluatedNodes: evaluated };
  }

  /** Every filter in order; the first rejection wins (as kube-scheduler does by default). */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    for (const p of this.plugins.filter) {
      const s = p.filter(state, pod, node);
      if (s.code !== 'Success') return { ...s, plugin: p.name };
    }
    return SUCCESS;
  }

  /** Weighted sum of the normalised scores, per feasible node (same order). */
  scoreNodes(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): number[] {
    const totals = new Array<number>(nodes.length).fill(0);
    const scores = new Array<number>(nodes.length);
    for (const { plugin, weight } of this.plugins.score) {
      plugin.preScore?.(state, pod, nodes, snapshot);
      for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]!);
      plugin.normalize?.(state, scores);
      for (let i = 0; i < nodes.length; i++) totals[i]! += weight * Math.min(MAX_NODE_SCORE, Math.max(0, scores[i]!));
    }
    return totals;
  }

  /** The highest total; ties broken uniformly at random (reservoir sampling, as kube does). */
  selectHost(nodes: readonly NodeInfo[], totals: readonly number[]): NodeInfo {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      const t = totals[i]!;
      const b = totals[best]!;
      // Scores are sums of floats computed the same way: equal inputs give equal sums, and
      // the epsilon absorbs rounding between different paths to the same value.
      if (t > b + 1e-9) {
        best = i;
        ties = 1;
      } else if (Math.abs(t - b) <= 1e-9) {
        ties++;
        if (this.random() * ties < 1) best = i;
      }
    }
    return nodes[best]!;
  }
}
