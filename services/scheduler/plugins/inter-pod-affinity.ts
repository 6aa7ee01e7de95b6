// InterPodAffinity (kube-scheduler's plugin of that name): pods placed by the pods already
// running in a topology domain, i.e. the nodes sharing a value of the term's topologyKey
// (kubernetes.io/hostname: one node; a zone label: every node of the zone).
//
// Filter, in kube-scheduler's order (the first failure names the reason):
//   1. the incoming pod's required podAffinity: the node carries every term's topology key,
//      and for every term its domain runs a pod that matches all the terms. The exception
//      (kube's "first pod of a group"): when no pod anywhere matches all the terms and the
//      pod matches them itself, any node carrying the keys will do, so a group whose members
//      attract each other can start;
//   2. the incoming pod's required podAntiAffinity: no domain running a pod a term selects;
//   3. existing pods' required podAntiAffinity (symmetry): no domain of a pod whose term
//      selects the incoming pod.
// Score: per domain, the weights of the incoming pod's preferred terms that select a pod
// running there (affinity +, anti-affinity -), and of the terms of pods running there that
// select the incoming pod: preferred ones by weight, required affinity ones by
// HARD_POD_AFFINITY_WEIGHT; a node scores the sum over its domains, scaled min..max to 0..100.
import {
  MAX_NODE_SCORE,
  SUCCESS,
  matchesAllTerms,
  termMatches,
  unschedulable,
  type AffinityTerm,
  type FilterPlugin,
  type NodeInfo,
  type PodInfo,
  type PreFilterPlugin,
  type ScorePlugin,
  type Snapshot,
} from '../framework.js';

export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

/** What an existing pod's required affinity term that selects the incoming pod adds to its
 * domain's score (kube-scheduler's hardPodAffinityWeight, default 1). */
export const HARD_POD_AFFINITY_WEIGHT = 1;

const KEY = 'InterPodAffinity';
const SCORE_KEY = 'InterPodAffinity/score';

/** Topology key → value of that key → a count or a weight sum. */
type Domains = Map<string, Map<string, number>>;

/** Adds `n` to the domain of `node` for `key`; a node without the key is in no domain. */
function add(d: Domains, key: string, node: NodeInfo, n: number): void {
  const v = node.topologyValue(key);
  if (v === undefined) return;
  let m = d.get(key);
  if (!m) d.set(key, (m = new Map<string, number>()));
  m.set(v, (m.get(v) ?? 0) + n);
}

function count(d: Domains, key: string, node: NodeInfo): number {
  const v = node.topologyValue(key);
  return v === undefined ? 0 : (d.get(key)?.get(v) ?? 0);
}

/** Whether `node` is in a domain of `d` with a positive count, for any key of `d`. */
function inAnyDomain(d: Domains, node: NodeInfo): boolean {
  for (const key of d.keys()) if (count(d, key, node) > 0) return true;
  return false;
}

interface FilterState {
  /** Domains (for the incoming pod's required affinity terms' keys) → pods there that match
   * all those terms (kube's affinityCounts). Empty: no such pod anywhere. */
  affinity: Domains;
  /** The incoming pod matches all its own required affinity terms. */
  matchesOwnAffinity: boolean;
  /** Domains → pods there that a required anti-affinity term of the incoming pod selects. */
  antiAffinity: Domains;
  /** Domains → existing pods' required anti-affinity terms there that select the incoming pod. */
  existingAntiAffinity: Domains;
}

function satisfiesAffinity(s: FilterState, pod: PodInfo, node: NodeInfo): boolean {
  let podsExist = true;
  for (const term of pod.requiredAffinity) {
    // Every topology key must be on the node, first pod of a group or not.
    if (node.topologyValue(term.topologyKey) === undefined) return false;
    if (count(s.affinity, term.topologyKey, node) <= 0) podsExist = false;
  }
  return podsExist || (s.affinity.size === 0 && s.matchesOwnAffinity);
}

/** Adds `weight` to the domain of `node` for `term`'s key if `term` selects `target` (whose
 * namespace has `nsLabels`). */
function scoreTerm(
  d: Domains,
  term: AffinityTerm,
  weight: number,
  target: PodInfo,
  nsLabels: Readonly<Record<string, string>> | undefined,
  node: NodeInfo,
): void {
  if (termMatches(term, target, nsLabels)) add(d, term.topologyKey, node, weight);
}

export const InterPodAffinity: PreFilterPlugin & FilterPlugin & ScorePlugin = {
  name: KEY,

  preFilter(state, pod, snapshot: Snapshot) {
    const s: FilterState = { affinity: new Map(), matchesOwnAffinity: false, antiAffinity: new Map(), existingAntiAffinity: new Map() };
    const ownNsLabels = snapshot.namespaceLabels(pod.namespace);
    for (const node of snapshot.nodesWithAffinityPods()) {
      if (!node.node) continue;
      for (const existing of node.podsWithAffinity.values()) {
        if (existing.key === pod.key) continue;
        for (const term of existing.requiredAntiAffinity) {
          if (termMatches(term, pod, ownNsLabels)) add(s.existingAntiAffinity, term.topologyKey, node, 1);
        }
      }
    }
    const { requiredAffinity, requiredAntiAffinity } = pod;
    if (requiredAffinity.length || requiredAntiAffinity.length) {
      for (const node of snapshot.nodes) {
        for (const existing of node.pods.values()) {
          if (existing.key === pod.key) continue;
          const nsLabels = snapshot.namespaceLabels(existing.namespace);
          if (matchesAllTerms(requiredAffinity, existing, nsLabels)) {
            for (const term of requiredAffinity) add(s.affinity, term.topologyKey, node, 1);
          }
          for (const term of requiredAntiAffinity) {
            if (termMatches(term, existing, nsLabels)) add(s.antiAffinity, term.topologyKey, node, 1);
          }
        }
      }
      s.matchesOwnAffinity = matchesAllTerms(requiredAffinity, pod, ownNsLabels);
    }
    state.write(KEY, s);
    return SUCCESS;
  },

  filter(state, pod, node) {
    const s = state.read<FilterState>(KEY);
    if (!s) return SUCCESS;
    if (pod.requiredAffinity.length && !satisfiesAffinity(s, pod, node)) return unschedulable(ERR_AFFINITY);
    if (s.antiAffinity.size && inAnyDomain(s.antiAffinity, node)) return unschedulable(ERR_ANTI_AFFINITY);
    if (s.existingAntiAffinity.size && inAnyDomain(s.existingAntiAffinity, node)) return unschedulable(ERR_EXISTING_ANTI_AFFINITY);
    return SUCCESS;
  },

  preScore(state, pod, _nodes, snapshot) {
    const scores: Domains = new Map();
    const ownNsLabels = snapshot.namespaceLabels(pod.namespace);
    const hasPreferred = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0;
    // Without preferred terms of its own, only pods with terms can score the incoming pod.
    const nodes = hasPreferred ? snapshot.nodes : snapshot.nodesWithAffinityPods();
    for (const node of nodes) {
      if (!node.node) continue;
      for (const existing of (hasPreferred ? node.pods : node.podsWithAffinity).values()) {
        if (existing.key === pod.key) continue;
        if (hasPreferred) {
          const nsLabels = snapshot.namespaceLabels(existing.namespace);
          for (const t of pod.preferredAffinity) scoreTerm(scores, t, t.weight, existing, nsLabels, node);
          for (const t of pod.preferredAntiAffinity) scoreTerm(scores, t, -t.weight, existing, nsLabels, node);
        }
        if (!existing.hasPodAffinityTerms) continue;
        for (const t of existing.requiredAffinity) scoreTerm(scores, t, HARD_POD_AFFINITY_WEIGHT, pod, ownNsLabels, node);
        for (const t of existing.preferredAffinity) scoreTerm(scores, t, t.weight, pod, ownNsLabels, node);
        for (const t of existing.preferredAntiAffinity) scoreTerm(scores, t, -t.weight, pod, ownNsLabels, node);
      }
    }
    state.write(SCORE_KEY, scores);
  },

  score(state, _pod, node) {
    const scores = state.read<Domains>(SCORE_KEY);
    let sum = 0;
    if (scores) for (const key of scores.keys()) sum += count(scores, key, node);
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
