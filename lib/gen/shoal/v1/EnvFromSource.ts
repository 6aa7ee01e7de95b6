// Original file: proto/shoal/v1/core.proto

import type { ConfigMapEnvSource as _shoal_v1_ConfigMapEnvSource, ConfigMapEnvSource__Output as _shoal_v1_ConfigMapEnvSource__Output } from '../../shoal/v1/ConfigMapEnvSource.js';
import type { SecretEnvSource as _shoal_v1_SecretEnvSource, SecretEnvSource__Output as _shoal_v1_SecretEnvSource__Output } from '../../shoal/v1/SecretEnvSource.js';

export interface EnvFromSource {
  'prefix'?: (string);
  'configMapRef'?: (_shoal_v1_ConfigMapEnvSource | null);
  'secretRef'?: (_shoal_v1_SecretEnvSource | null);
  '_prefix'?: "prefix";
}

export interface EnvFromSource__Output {
  'prefix'?: (string);
  'configMapRef'?: (_shoal_v1_ConfigMapEnvSource__Output);
  'secretRef'?: (_shoal_v1_SecretEnvSource__Output);
}
