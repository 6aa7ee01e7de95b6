// Original file: proto/shoal/v1/core.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { EndpointSubset as _shoal_v1_EndpointSubset, EndpointSubset__Output as _shoal_v1_EndpointSubset__Output } from '../../shoal/v1/EndpointSubset.js';

export interface Endpoints {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'subsets'?: (_shoal_v1_EndpointSubset)[];
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
}

export interface Endpoints__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'subsets'?: (_shoal_v1_EndpointSubset__Output)[];
}
