// Original file: proto/shoal/v1/core.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';

export interface Secret {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  /**
   * Values are base64 in YAML and JSON, as in Kubernetes.
   */
  'data'?: ({[key: string]: Buffer | Uint8Array | string});
  /**
   * Write-only convenience: merged into data by the server and never returned.
   */
  'stringData'?: ({[key: string]: string});
  'type'?: (string);
  'immutable'?: (boolean);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
  '_type'?: "type";
  '_immutable'?: "immutable";
}

export interface Secret__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  /**
   * Values are base64 in YAML and JSON, as in Kubernetes.
   */
  'data'?: ({[key: string]: string});
  /**
   * Write-only convenience: merged into data by the server and never returned.
   */
  'stringData'?: ({[key: string]: string});
  'type'?: (string);
  'immutable'?: (boolean);
}
