// Original file: proto/shoal/v1/core.proto

import type { NodeSelectorTerm as _shoal_v1_NodeSelectorTerm, NodeSelectorTerm__Output as _shoal_v1_NodeSelectorTerm__Output } from '../../shoal/v1/NodeSelectorTerm.js';

export interface PreferredSchedulingTerm {
  'weight'?: (number);
  'preference'?: (_shoal_v1_NodeSelectorTerm | null);
  '_weight'?: "weight";
}

export interface PreferredSchedulingTerm__Output {
  'weight'?: (number);
  'preference'?: (_shoal_v1_NodeSelectorTerm__Output);
}
