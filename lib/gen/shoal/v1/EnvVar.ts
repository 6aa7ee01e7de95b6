// Original file: proto/shoal/v1/core.proto

import type { EnvVarSource as _shoal_v1_EnvVarSource, EnvVarSource__Output as _shoal_v1_EnvVarSource__Output } from '../../shoal/v1/EnvVarSource.js';

export interface EnvVar {
  'name'?: (string);
  'value'?: (string);
  'valueFrom'?: (_shoal_v1_EnvVarSource | null);
  '_name'?: "name";
  '_value'?: "value";
}

export interface EnvVar__Output {
  'name'?: (string);
  'value'?: (string);
  'valueFrom'?: (_shoal_v1_EnvVarSource__Output);
}
