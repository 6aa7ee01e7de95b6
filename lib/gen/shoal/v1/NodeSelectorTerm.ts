// Original file: proto/shoal/v1/core.proto

import type { NodeSelectorRequirement as _shoal_v1_NodeSelectorRequirement, NodeSelectorRequirement__Output as _shoal_v1_NodeSelectorRequirement__Output } from '../../shoal/v1/NodeSelectorRequirement.js';

export interface NodeSelectorTerm {
  'matchExpressions'?: (_shoal_v1_NodeSelectorRequirement)[];
  'matchFields'?: (_shoal_v1_NodeSelectorRequirement)[];
}

export interface NodeSelectorTerm__Output {
  'matchExpressions'?: (_shoal_v1_NodeSelectorRequirement__Output)[];
  'matchFields'?: (_shoal_v1_NodeSelectorRequirement__Output)[];
}
