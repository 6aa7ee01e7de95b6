// NodeReady: only nodes whose Ready condition is True take pods (kube-scheduler's former
// CheckNodeCondition predicate; Kubernetes now expresses it as a not-ready taint).
import { SUCCESS, unschedulable, type FilterPlugin } from '../framework.js';

const NOT_READY = unschedulable('node(s) were not ready');

export const NodeReady: FilterPlugin = {
  name: 'NodeReady',
  filter(_state, _pod, node) {
    return node.ready ? SUCCESS : NOT_READY;
  },
};
