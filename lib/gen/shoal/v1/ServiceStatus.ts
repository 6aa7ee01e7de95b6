// Original file: proto/shoal/v1/core.proto

import type { LoadBalancerStatus as _shoal_v1_LoadBalancerStatus, LoadBalancerStatus__Output as _shoal_v1_LoadBalancerStatus__Output } from '../../shoal/v1/LoadBalancerStatus.js';
import type { Condition as _shoal_v1_Condition, Condition__Output as _shoal_v1_Condition__Output } from '../../shoal/v1/Condition.js';

export interface ServiceStatus {
  'loadBalancer'?: (_shoal_v1_LoadBalancerStatus | null);
  'conditions'?: (_shoal_v1_Condition)[];
}

export interface ServiceStatus__Output {
  'loadBalancer'?: (_shoal_v1_LoadBalancerStatus__Output);
  'conditions'?: (_shoal_v1_Condition__Output)[];
}
