// Original file: proto/shoal/v1/workloads.proto

import type { IntOrString as _shoal_v1_IntOrString, IntOrString__Output as _shoal_v1_IntOrString__Output } from '../../shoal/v1/IntOrString.js';

export interface RollingUpdateDeployment {
  'maxUnavailable'?: (_shoal_v1_IntOrString | null);
  'maxSurge'?: (_shoal_v1_IntOrString | null);
}

export interface RollingUpdateDeployment__Output {
  'maxUnavailable'?: (_shoal_v1_IntOrString__Output);
  'maxSurge'?: (_shoal_v1_IntOrString__Output);
}
