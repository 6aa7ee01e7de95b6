// InterPodAntiAffinity: a pod's required anti-affinity terms keep it out of every topology
// domain (by default the host: kubernetes.io/hostname) that runs a pod the term selects, and
// an existing pod's required terms keep out the pods they select (filter, both directions);
// preferred terms lower a domain's score by their weight (score).
import {
  SUCCESS,
  termMatches,
  unschedulable,
  type AffinityTerm,
  type FilterPlugin,
  type NodeInfo,
  type PodInfo,
  type PreFilterPlugin,
  type ScorePlugin,
  type Snapshot,
  type Status,
  MAX_NODE_SCORE,
} from '../framework.js';

export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

const KEY = 'InterPodAntiAffinity';
const SCORE_KEY = 'InterPodAntiAffinity/score';

/** Topology key → values of that key whose domain is excluded (or scored). */
type Domains<V> = Map<string, Map<string, V>>;

interface FilterState {
  /** Domains holding a pod that the incoming pod's required terms select. */
  byIncoming: Domains<true>;
  /** Domains holding a pod whose required terms select the incoming pod. */
  byExisting: Domains<true>;
}

function mark<V>(d: Domains<V>, key: string, node: NodeInfo, value: V, merge?: (a: V, b: V) => V): void {
  const v = node.topologyValue(key);
  if (v === undefined) return;
  let m = d.get(key);
  if (!m) d.set(key, (m = new Map<string, V>()));
  const old = m.get(v);
  m.set(v, old !== undefined && merge ? merge(old, value) : value);
}

function inDomain<V>(d: Domains<V>, node: NodeInfo): boolean {
  for (const [key, values] of d) {
    const v = node.topologyValue(key);
    if (v !== undefined && values.has(v)) return true;
  }
  return false;
}

/** Calls fn for every pod on every node that `term` (declared in `ns`) selects. */
function forEachSelected(snapshot: Snapshot, term: AffinityTerm, ns: string, fn: (node: NodeInfo) => void): void {
  for (const node of snapshot.nodes) {
    for (const p of node.pods.values()) {
      if (termMatches(term, ns, p)) fn(node);
    }
  }
}

export const InterPodAntiAffinity: PreFilterPlugin & FilterPlugin & ScorePlugin = {
  name: KEY,

  preFilter(state, pod: PodInfo, snapshot: Snapshot): Status {
    const s: FilterState = { byIncoming: new Map(), byExisting: new Map() };
    for (const term of pod.requiredAntiAffinity) {
      forEachSelected(snapshot, term, pod.namespace, (node) => mark(s.byIncoming, term.topologyKey, node, true));
    }
    for (const node of snapshot.nodesWithAntiAffinityPods()) {
      for (const existing of node.podsWithAntiAffinity.values()) {
        if (existing.key === pod.key) continue;
        for (const term of existing.requiredAntiAffinity) {
          if (termMatches(term, existing.namespace, pod)) mark(s.byExisting, term.topologyKey, node, true);
        }
      }
    }
    state.write(KEY, s);
    return SUCCESS;
  },

  filter(state, _pod, node) {
    const s = state.read<FilterState>(KEY);
    if (!s) return SUCCESS;
    if (s.byIncoming.size && inDomain(s.byIncoming, node)) return unschedulable(ERR_ANTI_AFFINITY);
    if (s.byExisting.size && inDomain(s.byExisting, node)) return unschedulable(ERR_EXISTING_ANTI_AFFINITY);
    return SUCCESS;
  },

  preScore(state, pod, _nodes, snapshot) {
    const scores: Domains<number> = new Map();
    const add = (a: number, b: number): number => a + b;
    for (const term of pod.preferredAntiAffinity) {
      forEachSelected(snapshot, term, pod.namespace, (node) => mark(scores, term.topologyKey, node, -term.weight, add));
    }
    for (const node of snapshot.nodesWithAntiAffinityPods()) {
      for (const existing of node.podsWithAntiAffinity.values()) {
        if (existing.key === pod.key) continue;
        for (const term of existing.preferredAntiAffinity) {
          if (termMatches(term, existing.namespace, pod)) mark(scores, term.topologyKey, node, -term.weight, add);
        }
      }
    }
    state.write(SCORE_KEY, scores);
  },

  score(state, _pod, node) {
    const scores = state.read<Domains<number>>(SCORE_KEY);
    let sum = 0;
    for (const [key, values] of scores ?? []) {
      const v = node.topologyValue(key);
      if (v !== undefined) sum += values.get(v) ?? 0;
    }
    return sum;
  },

  normalize(_state, scores) {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? (MAX_NODE_SCORE * (scores[i]! - min)) / diff : 0;
  },
};
