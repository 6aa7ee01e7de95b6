// Original file: proto/shoal/v1/core.proto

import type { NodeSelectorTerm as _shoal_v1_NodeSelectorTerm, NodeSelectorTerm__Output as _shoal_v1_NodeSelectorTerm__Output } from '../../shoal/v1/NodeSelectorTerm.js';

export interface NodeSelector {
  'nodeSelectorTerms'?: (_shoal_v1_NodeSelectorTerm)[];
}

export interface NodeSelector__Output {
  'nodeSelectorTerms'?: (_shoal_v1_NodeSelectorTerm__Output)[];
}
