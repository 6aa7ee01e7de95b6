// NodeReady: only nodes whose Ready condition is True take pods (kube-scheduler's former
// CheckNodeCondition predicate; Kubernetes now expresses it as a not-ready taint).
import { SUCCESS, unschedulable, type FilterPlugin } from '../framework.js';

export const NodeReady: FilterPlugin = {
  name: 'NodeReady',
  filter(_state, _pod, node) {
    const ready = (node.node?.status?.conditions ?? []).find((c) => c.type === 'Ready');
    return ready?.status === 'True' ? SUCCESS : unschedulable('node(s) were not ready');
  },
};
