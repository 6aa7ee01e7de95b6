// Original file: proto/shoal/v1/core.proto

import type { DaemonEndpoint as _shoal_v1_DaemonEndpoint, DaemonEndpoint__Output as _shoal_v1_DaemonEndpoint__Output } from '../../shoal/v1/DaemonEndpoint.js';

export interface NodeDaemonEndpoints {
  'kubeletEndpoint'?: (_shoal_v1_DaemonEndpoint | null);
}

export interface NodeDaemonEndpoints__Output {
  'kubeletEndpoint'?: (_shoal_v1_DaemonEndpoint__Output);
}
