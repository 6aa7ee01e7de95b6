// Original file: proto/shoal/v1/workloads.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { LeaseSpec as _shoal_v1_LeaseSpec, LeaseSpec__Output as _shoal_v1_LeaseSpec__Output } from '../../shoal/v1/LeaseSpec.js';

export interface Lease {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'spec'?: (_shoal_v1_LeaseSpec | null);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
}

export interface Lease__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'spec'?: (_shoal_v1_LeaseSpec__Output);
}
