// SelectorSpread: spreads the pods of one owner (the same controller, or for bare pods the
// same namespace and labels) over the nodes: the fewer of them a node already runs, bound or
// assumed, the higher it scores. Weighted above least-allocated so that, on equal nodes, the
// spread decides.
import { MAX_NODE_SCORE, type ScorePlugin, type Snapshot } from '../framework.js';

const KEY = 'SelectorSpread';

export const SelectorSpread: ScorePlugin = {
  name: KEY,

  preScore(state, pod, _nodes, snapshot: Snapshot) {
    state.write(KEY, pod.ownerKey ? snapshot.ownerCounts(pod.ownerKey) : undefined);
  },

  score(state, _pod, node) {
    return state.read<ReadonlyMap<string, number>>(KEY)?.get(node.name) ?? 0;
  },

  normalize(_state, scores) {
    let max = 0;
    for (const s of scores) max = Math.max(max, s);
    for (let i = 0; i < scores.length; i++) scores[i] = max === 0 ? MAX_NODE_SCORE : (MAX_NODE_SCORE * (max - scores[i]!)) / max;
  },
};
