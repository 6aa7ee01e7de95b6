// Original file: proto/shoal/v1/core.proto

import type { PodAffinityTerm as _shoal_v1_PodAffinityTerm, PodAffinityTerm__Output as _shoal_v1_PodAffinityTerm__Output } from '../../shoal/v1/PodAffinityTerm.js';

export interface WeightedPodAffinityTerm {
  'weight'?: (number);
  'podAffinityTerm'?: (_shoal_v1_PodAffinityTerm | null);
  '_weight'?: "weight";
}

export interface WeightedPodAffinityTerm__Output {
  'weight'?: (number);
  'podAffinityTerm'?: (_shoal_v1_PodAffinityTerm__Output);
}
