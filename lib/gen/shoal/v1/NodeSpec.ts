// Original file: proto/shoal/v1/core.proto

import type { Taint as _shoal_v1_Taint, Taint__Output as _shoal_v1_Taint__Output } from '../../shoal/v1/Taint.js';

export interface NodeSpec {
  'podCIDR'?: (string);
  'podCIDRs'?: (string)[];
  'providerID'?: (string);
  'unschedulable'?: (boolean);
  'taints'?: (_shoal_v1_Taint)[];
  '_podCIDR'?: "podCIDR";
  '_providerID'?: "providerID";
  '_unschedulable'?: "unschedulable";
}

export interface NodeSpec__Output {
  'podCIDR'?: (string);
  'podCIDRs'?: (string)[];
  'providerID'?: (string);
  'unschedulable'?: (boolean);
  'taints'?: (_shoal_v1_Taint__Output)[];
}
