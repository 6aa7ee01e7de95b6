// Original file: proto/shoal/v1/core.proto

import type { LoadBalancerIngress as _shoal_v1_LoadBalancerIngress, LoadBalancerIngress__Output as _shoal_v1_LoadBalancerIngress__Output } from '../../shoal/v1/LoadBalancerIngress.js';

export interface LoadBalancerStatus {
  'ingress'?: (_shoal_v1_LoadBalancerIngress)[];
}

export interface LoadBalancerStatus__Output {
  'ingress'?: (_shoal_v1_LoadBalancerIngress__Output)[];
}
