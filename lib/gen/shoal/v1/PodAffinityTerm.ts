// Original file: proto/shoal/v1/core.proto

import type { LabelSelector as _shoal_v1_LabelSelector, LabelSelector__Output as _shoal_v1_LabelSelector__Output } from '../../shoal/v1/LabelSelector.js';

export interface PodAffinityTerm {
  'labelSelector'?: (_shoal_v1_LabelSelector | null);
  'namespaces'?: (string)[];
  'topologyKey'?: (string);
  'namespaceSelector'?: (_shoal_v1_LabelSelector | null);
  '_topologyKey'?: "topologyKey";
}

export interface PodAffinityTerm__Output {
  'labelSelector'?: (_shoal_v1_LabelSelector__Output);
  'namespaces'?: (string)[];
  'topologyKey'?: (string);
  'namespaceSelector'?: (_shoal_v1_LabelSelector__Output);
}
