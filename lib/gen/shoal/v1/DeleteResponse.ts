// Original file: proto/shoal/v1/api.proto

import type { Object as _shoal_v1_Object, Object__Output as _shoal_v1_Object__Output } from '../../shoal/v1/Object.js';

export interface DeleteResponse {
  /**
   * The object as it was removed, or as it now stands marked for deletion.
   */
  'object'?: (_shoal_v1_Object | null);
  /**
   * True when the object is gone from the store; false when it waits for finalizers or
   * graceful termination.
   */
  'deleted'?: (boolean);
}

export interface DeleteResponse__Output {
  /**
   * The object as it was removed, or as it now stands marked for deletion.
   */
  'object'?: (_shoal_v1_Object__Output);
  /**
   * True when the object is gone from the store; false when it waits for finalizers or
   * graceful termination.
   */
  'deleted'?: (boolean);
}
