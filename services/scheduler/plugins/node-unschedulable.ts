// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate
// node.kubernetes.io/unschedulable:NoSchedule.
import { SUCCESS, unschedulable, type FilterPlugin } from '../framework.js';
import { tolerates } from './taint-toleration.js';

const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export const NodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(_state, pod, node) {
    if (!node.node?.spec?.unschedulable) return SUCCESS;
    if (tolerates(pod.tolerations, UNSCHEDULABLE_TAINT)) return SUCCESS;
    return unschedulable('node(s) were unschedulable');
  },
};
