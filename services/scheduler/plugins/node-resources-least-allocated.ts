// NodeResourcesLeastAllocated: prefers the node with the most cpu and memory left once the
// pod is placed (requests counted with kube's non-zero defaults), cpu and memory weighted
// equally.
import { MAX_NODE_SCORE, type NodeInfo, type PodInfo, type ScorePlugin } from '../framework.js';

function leastRequested(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return ((capacity - requested) * MAX_NODE_SCORE) / capacity;
}

export const NodeResourcesLeastAllocated: ScorePlugin = {
  name: 'NodeResourcesLeastAllocated',
  score(_state, pod: PodInfo, node: NodeInfo) {
    const cpu = leastRequested(node.nonZeroRequested.cpu + pod.nonZeroRequests.cpu, node.allocatable.cpu ?? 0);
    const memory = leastRequested(node.nonZeroRequested.memory + pod.nonZeroRequests.memory, node.allocatable.memory ?? 0);
    return (cpu + memory) / 2;
  },
};
