// Original file: proto/shoal/v1/core.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { ServiceSpec as _shoal_v1_ServiceSpec, ServiceSpec__Output as _shoal_v1_ServiceSpec__Output } from '../../shoal/v1/ServiceSpec.js';
import type { ServiceStatus as _shoal_v1_ServiceStatus, ServiceStatus__Output as _shoal_v1_ServiceStatus__Output } from '../../shoal/v1/ServiceStatus.js';

export interface Service {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'spec'?: (_shoal_v1_ServiceSpec | null);
  'status'?: (_shoal_v1_ServiceStatus | null);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
}

export interface Service__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'spec'?: (_shoal_v1_ServiceSpec__Output);
  'status'?: (_shoal_v1_ServiceStatus__Output);
}
