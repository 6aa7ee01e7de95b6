// Original file: proto/shoal/v1/api.proto

import type { Object as _shoal_v1_Object, Object__Output as _shoal_v1_Object__Output } from '../../shoal/v1/Object.js';
import type { Long } from '@grpc/proto-loader';

export interface ListResponse {
  'items'?: (_shoal_v1_Object)[];
  /**
   * The store revision the page was read at; watch from it to see every later change.
   */
  'resource_version'?: (string);
  /**
   * Non-empty when more items follow.
   */
  'continue_token'?: (string);
  /**
   * How many matching items follow this page, when known.
   */
  'remaining_item_count'?: (number | string | Long);
}

export interface ListResponse__Output {
  'items'?: (_shoal_v1_Object__Output)[];
  /**
   * The store revision the page was read at; watch from it to see every later change.
   */
  'resource_version'?: (string);
  /**
   * Non-empty when more items follow.
   */
  'continue_token'?: (string);
  /**
   * How many matching items follow this page, when known.
   */
  'remaining_item_count'?: (number);
}
