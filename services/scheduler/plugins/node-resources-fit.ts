// NodeResourcesFit: the pod's requests, added to what the node's pods (bound and assumed)
// already request, must fit the node's allocatable; and one more pod must fit "pods".
import { SUCCESS, unschedulable, type FilterPlugin } from '../framework.js';

export const NodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(_state, pod, node) {
    let reasons: string[] | undefined;
    if (node.pods.size + 1 > (node.allocatable.pods ?? 0)) (reasons ??= []).push('Too many pods');
    // cpu and memory first, in kube's order, then any other requested resource.
    for (const name of pod.requestNames) {
      if ((node.requested[name] ?? 0) + (pod.requests[name] ?? 0) > (node.allocatable[name] ?? 0)) (reasons ??= []).push(`Insufficient ${name}`);
    }
    return reasons ? unschedulable(...reasons) : SUCCESS;
  },
};
