// Original file: proto/shoal/v1/core.proto

import type { NodeAffinity as _shoal_v1_NodeAffinity, NodeAffinity__Output as _shoal_v1_NodeAffinity__Output } from '../../shoal/v1/NodeAffinity.js';
import type { PodAffinity as _shoal_v1_PodAffinity, PodAffinity__Output as _shoal_v1_PodAffinity__Output } from '../../shoal/v1/PodAffinity.js';
import type { PodAntiAffinity as _shoal_v1_PodAntiAffinity, PodAntiAffinity__Output as _shoal_v1_PodAntiAffinity__Output } from '../../shoal/v1/PodAntiAffinity.js';

export interface Affinity {
  'nodeAffinity'?: (_shoal_v1_NodeAffinity | null);
  'podAffinity'?: (_shoal_v1_PodAffinity | null);
  'podAntiAffinity'?: (_shoal_v1_PodAntiAffinity | null);
}

export interface Affinity__Output {
  'nodeAffinity'?: (_shoal_v1_NodeAffinity__Output);
  'podAffinity'?: (_shoal_v1_PodAffinity__Output);
  'podAntiAffinity'?: (_shoal_v1_PodAntiAffinity__Output);
}
