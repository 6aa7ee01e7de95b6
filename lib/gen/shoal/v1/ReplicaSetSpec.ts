// Original file: proto/shoal/v1/workloads.proto

import type { LabelSelector as _shoal_v1_LabelSelector, LabelSelector__Output as _shoal_v1_LabelSelector__Output } from '../../shoal/v1/LabelSelector.js';
import type { PodTemplateSpec as _shoal_v1_PodTemplateSpec, PodTemplateSpec__Output as _shoal_v1_PodTemplateSpec__Output } from '../../shoal/v1/PodTemplateSpec.js';

export interface ReplicaSetSpec {
  'replicas'?: (number);
  'minReadySeconds'?: (number);
  'selector'?: (_shoal_v1_LabelSelector | null);
  'template'?: (_shoal_v1_PodTemplateSpec | null);
  '_replicas'?: "replicas";
  '_minReadySeconds'?: "minReadySeconds";
}

export interface ReplicaSetSpec__Output {
  'replicas'?: (number);
  'minReadySeconds'?: (number);
  'selector'?: (_shoal_v1_LabelSelector__Output);
  'template'?: (_shoal_v1_PodTemplateSpec__Output);
}
