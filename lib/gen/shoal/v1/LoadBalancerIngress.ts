// Original file: proto/shoal/v1/core.proto

import type { PortStatus as _shoal_v1_PortStatus, PortStatus__Output as _shoal_v1_PortStatus__Output } from '../../shoal/v1/PortStatus.js';

export interface LoadBalancerIngress {
  'ip'?: (string);
  'hostname'?: (string);
  'ports'?: (_shoal_v1_PortStatus)[];
  '_ip'?: "ip";
  '_hostname'?: "hostname";
}

export interface LoadBalancerIngress__Output {
  'ip'?: (string);
  'hostname'?: (string);
  'ports'?: (_shoal_v1_PortStatus__Output)[];
}
