// TaintToleration: a node's NoSchedule and NoExecute taints must be tolerated (filter); the
// fewer untolerated PreferNoSchedule taints, the better (score).
import type { Taint__Output } from '../../../lib/gen/shoal/v1/Taint.js';
import type { Toleration__Output } from '../../../lib/gen/shoal/v1/Toleration.js';
import { SUCCESS, defaultNormalize, unschedulable, type FilterPlugin, type ScorePlugin } from '../framework.js';

/** Kubernetes' ToleratesTaint: an empty effect matches every effect, an empty key with
 * Exists every key; Exists ignores the value, Equal (the default) compares it. */
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

export function tolerates(tolerations: readonly Toleration__Output[], taint: Taint__Output): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint));
}

export const TaintToleration: FilterPlugin & ScorePlugin = {
  name: 'TaintToleration',

  filter(_state, pod, node) {
    for (const taint of node.node?.spec?.taints ?? []) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!tolerates(pod.tolerations, taint)) {
        return unschedulable(`node(s) had untolerated taint {${taint.key ?? ''}: ${taint.value ?? ''}}`);
      }
    }
    return SUCCESS;
  },

  score(_state, pod, node) {
    // Only tolerations that can apply to PreferNoSchedule count here.
    const relevant = pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    let untolerated = 0;
    for (const taint of node.node?.spec?.taints ?? []) {
      if (taint.effect === 'PreferNoSchedule' && !tolerates(relevant, taint)) untolerated++;
    }
    return untolerated;
  },

  normalize(_state, scores) {
    defaultNormalize(scores, true);
  },
};
