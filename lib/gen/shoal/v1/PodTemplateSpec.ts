// Original file: proto/shoal/v1/core.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { PodSpec as _shoal_v1_PodSpec, PodSpec__Output as _shoal_v1_PodSpec__Output } from '../../shoal/v1/PodSpec.js';

export interface PodTemplateSpec {
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'spec'?: (_shoal_v1_PodSpec | null);
}

export interface PodTemplateSpec__Output {
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'spec'?: (_shoal_v1_PodSpec__Output);
}
