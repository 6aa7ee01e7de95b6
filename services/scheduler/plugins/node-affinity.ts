// NodeAffinity: spec.nodeSelector and required node affinity must match the node (filter);
// preferred node affinity terms add their weights (score).
import type { NodeSelectorRequirement__Output } from '../../../lib/gen/shoal/v1/NodeSelectorRequirement.js';
import type { NodeSelectorTerm__Output } from '../../../lib/gen/shoal/v1/NodeSelectorTerm.js';
import { SUCCESS, defaultNormalize, unschedulable, type FilterPlugin, type NodeInfo, type ScorePlugin } from '../framework.js';

export const ERR_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

function requirementMatches(r: NodeSelectorRequirement__Output, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const have = Number(value);
      const bound = Number(values[0]);
      if (!Number.isInteger(have) || !Number.isInteger(bound)) return false;
      return r.operator === 'Gt' ? have > bound : have < bound;
    }
    default:
      return false;
  }
}

/** A node selector term: every expression (on labels) and field (metadata.name) must hold;
 * an empty term matches nothing, as in Kubernetes. */
export function termMatchesNode(term: NodeSelectorTerm__Output | undefined, node: NodeInfo): boolean {
  const exprs = term?.matchExpressions ?? [];
  const fields = term?.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) {
    const has = Object.prototype.hasOwnProperty.call(node.labels, r.key ?? '');
    if (!requirementMatches(r, has ? node.labels[r.key ?? ''] : undefined)) return false;
  }
  for (const r of fields) {
    if (r.key !== 'metadata.name' || !requirementMatches(r, node.name)) return false;
  }
  return true;
}

export const NodeAffinity: FilterPlugin & ScorePlugin = {
  name: 'NodeAffinity',

  filter(_state, pod, node) {
    const spec = pod.pod.spec;
    for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) {
      if (node.labels[k] !== v) return unschedulable(ERR_NODE_AFFINITY);
    }
    const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (required && !(required.nodeSelectorTerms ?? []).some((t) => termMatchesNode(t, node))) {
      return unschedulable(ERR_NODE_AFFINITY);
    }
    return SUCCESS;
  },

  score(_state, pod, node) {
    let sum = 0;
    for (const pref of pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      if ((pref.weight ?? 0) > 0 && termMatchesNode(pref.preference, node)) sum += pref.weight ?? 0;
    }
    return sum;
  },

  normalize(_state, scores) {
    defaultNormalize(scores);
  },
};
