// Original file: proto/shoal/v1/core.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';

export interface ConfigMap {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'data'?: ({[key: string]: string});
  /**
   * Values are base64 in YAML and JSON, as in Kubernetes.
   */
  'binaryData'?: ({[key: string]: Buffer | Uint8Array | string});
  'immutable'?: (boolean);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
  '_immutable'?: "immutable";
}

export interface ConfigMap__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'data'?: ({[key: string]: string});
  /**
   * Values are base64 in YAML and JSON, as in Kubernetes.
   */
  'binaryData'?: ({[key: string]: string});
  'immutable'?: (boolean);
}
