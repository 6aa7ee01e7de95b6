// Original file: proto/shoal/v1/core.proto

import type { PodAffinityTerm as _shoal_v1_PodAffinityTerm, PodAffinityTerm__Output as _shoal_v1_PodAffinityTerm__Output } from '../../shoal/v1/PodAffinityTerm.js';
import type { WeightedPodAffinityTerm as _shoal_v1_WeightedPodAffinityTerm, WeightedPodAffinityTerm__Output as _shoal_v1_WeightedPodAffinityTerm__Output } from '../../shoal/v1/WeightedPodAffinityTerm.js';

export interface PodAntiAffinity {
  'requiredDuringSchedulingIgnoredDuringExecution'?: (_shoal_v1_PodAffinityTerm)[];
  'preferredDuringSchedulingIgnoredDuringExecution'?: (_shoal_v1_WeightedPodAffinityTerm)[];
}

export interface PodAntiAffinity__Output {
  'requiredDuringSchedulingIgnoredDuringExecution'?: (_shoal_v1_PodAffinityTerm__Output)[];
  'preferredDuringSchedulingIgnoredDuringExecution'?: (_shoal_v1_WeightedPodAffinityTerm__Output)[];
}
