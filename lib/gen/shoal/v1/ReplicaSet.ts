// Original file: proto/shoal/v1/workloads.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { ReplicaSetSpec as _shoal_v1_ReplicaSetSpec, ReplicaSetSpec__Output as _shoal_v1_ReplicaSetSpec__Output } from '../../shoal/v1/ReplicaSetSpec.js';
import type { ReplicaSetStatus as _shoal_v1_ReplicaSetStatus, ReplicaSetStatus__Output as _shoal_v1_ReplicaSetStatus__Output } from '../../shoal/v1/ReplicaSetStatus.js';

export interface ReplicaSet {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'spec'?: (_shoal_v1_ReplicaSetSpec | null);
  'status'?: (_shoal_v1_ReplicaSetStatus | null);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
}

export interface ReplicaSet__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'spec'?: (_shoal_v1_ReplicaSetSpec__Output);
  'status'?: (_shoal_v1_ReplicaSetStatus__Output);
}
