// Original file: proto/shoal/v1/core.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { PodSpec as _shoal_v1_PodSpec, PodSpec__Output as _shoal_v1_PodSpec__Output } from '../../shoal/v1/PodSpec.js';
import type { PodStatus as _shoal_v1_PodStatus, PodStatus__Output as _shoal_v1_PodStatus__Output } from '../../shoal/v1/PodStatus.js';

export interface Pod {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'spec'?: (_shoal_v1_PodSpec | null);
  'status'?: (_shoal_v1_PodStatus | null);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
}

export interface Pod__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'spec'?: (_shoal_v1_PodSpec__Output);
  'status'?: (_shoal_v1_PodStatus__Output);
}
