// Original file: proto/shoal/v1/core.proto

import type { KeyToPath as _shoal_v1_KeyToPath, KeyToPath__Output as _shoal_v1_KeyToPath__Output } from '../../shoal/v1/KeyToPath.js';

export interface ConfigMapVolumeSource {
  'name'?: (string);
  'items'?: (_shoal_v1_KeyToPath)[];
  'defaultMode'?: (number);
  'optional'?: (boolean);
  '_name'?: "name";
  '_defaultMode'?: "defaultMode";
  '_optional'?: "optional";
}

export interface ConfigMapVolumeSource__Output {
  'name'?: (string);
  'items'?: (_shoal_v1_KeyToPath__Output)[];
  'defaultMode'?: (number);
  'optional'?: (boolean);
}
