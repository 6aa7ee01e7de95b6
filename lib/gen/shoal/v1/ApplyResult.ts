// Original file: proto/shoal/v1/api.proto

import type { Object as _shoal_v1_Object, Object__Output as _shoal_v1_Object__Output } from '../../shoal/v1/Object.js';

export interface ApplyResult {
  'object'?: (_shoal_v1_Object | null);
  /**
   * created, configured or unchanged.
   */
  'action'?: (string);
}

export interface ApplyResult__Output {
  'object'?: (_shoal_v1_Object__Output);
  /**
   * created, configured or unchanged.
   */
  'action'?: (string);
}
