// Original file: proto/shoal/v1/api.proto

import type { Object as _shoal_v1_Object, Object__Output as _shoal_v1_Object__Output } from '../../shoal/v1/Object.js';

export interface WatchEvent {
  /**
   * ADDED, MODIFIED, DELETED or BOOKMARK. An object that stops matching the selectors is
   * sent as DELETED, one that starts matching as ADDED, as in Kubernetes.
   */
  'type'?: (string);
  'object'?: (_shoal_v1_Object | null);
  'resource_version'?: (string);
}

export interface WatchEvent__Output {
  /**
   * ADDED, MODIFIED, DELETED or BOOKMARK. An object that stops matching the selectors is
   * sent as DELETED, one that starts matching as ADDED, as in Kubernetes.
   */
  'type'?: (string);
  'object'?: (_shoal_v1_Object__Output);
  'resource_version'?: (string);
}
