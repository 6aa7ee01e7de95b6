// NodeResourcesFit: the pod's requests, added to what the node's pods (bound and assumed)
// already request, must fit the node's allocatable; and one more pod must fit "pods".
import { SUCCESS, unschedulable, type FilterPlugin } from '../framework.js';

export const NodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(_state, pod, node) {
    const reasons: string[] = [];
    if (node.pods.size + 1 > (node.allocatable.pods ?? 0)) reasons.push('Too many pods');
    // cpu and memory first, in kube's order, then any other requested resource.
    const names = Object.keys(pod.requests).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
    for (const name of names) {
      const want = pod.requests[name] ?? 0;
      if (want <= 0 || name === 'pods') continue;
      if ((node.requested[name] ?? 0) + want > (node.allocatable[name] ?? 0)) reasons.push(`Insufficient ${name}`);
    }
    return reasons.length ? unschedulable(...reasons) : SUCCESS;
  },
};

function rank(name: string): number {
  return name === 'cpu' ? 0 : name === 'memory' ? 1 : 2;
}
