// Original file: proto/shoal/v1/core.proto

import type { KeyToPath as _shoal_v1_KeyToPath, KeyToPath__Output as _shoal_v1_KeyToPath__Output } from '../../shoal/v1/KeyToPath.js';

export interface SecretVolumeSource {
  'secretName'?: (string);
  'items'?: (_shoal_v1_KeyToPath)[];
  'defaultMode'?: (number);
  'optional'?: (boolean);
  '_secretName'?: "secretName";
  '_defaultMode'?: "defaultMode";
  '_optional'?: "optional";
}

export interface SecretVolumeSource__Output {
  'secretName'?: (string);
  'items'?: (_shoal_v1_KeyToPath__Output)[];
  'defaultMode'?: (number);
  'optional'?: (boolean);
}
