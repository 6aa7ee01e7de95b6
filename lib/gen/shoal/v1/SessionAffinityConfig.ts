// Original file: proto/shoal/v1/core.proto

import type { ClientIPConfig as _shoal_v1_ClientIPConfig, ClientIPConfig__Output as _shoal_v1_ClientIPConfig__Output } from '../../shoal/v1/ClientIPConfig.js';

export interface SessionAffinityConfig {
  'clientIP'?: (_shoal_v1_ClientIPConfig | null);
}

export interface SessionAffinityConfig__Output {
  'clientIP'?: (_shoal_v1_ClientIPConfig__Output);
}
