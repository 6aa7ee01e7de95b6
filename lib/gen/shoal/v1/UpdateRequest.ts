// Original file: proto/shoal/v1/api.proto

import type { Object as _shoal_v1_Object, Object__Output as _shoal_v1_Object__Output } from '../../shoal/v1/Object.js';

export interface UpdateRequest {
  /**
   * metadata.resourceVersion is the precondition: a stale one fails with ABORTED. Empty
   * means an unconditional update.
   */
  'object'?: (_shoal_v1_Object | null);
  'dry_run'?: (boolean);
}

export interface UpdateRequest__Output {
  /**
   * metadata.resourceVersion is the precondition: a stale one fails with ABORTED. Empty
   * means an unconditional update.
   */
  'object'?: (_shoal_v1_Object__Output);
  'dry_run'?: (boolean);
}
