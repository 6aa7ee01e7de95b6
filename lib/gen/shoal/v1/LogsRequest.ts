// Original file: proto/shoal/v1/streams.proto

import type { Long } from '@grpc/proto-loader';

export interface LogsRequest {
  'namespace'?: (string);
  'pod'?: (string);
  /**
   * Empty picks the pod's only container (an error if it has several).
   */
  'container'?: (string);
  'follow'?: (boolean);
  /**
   * Only the last N lines; 0 or unset means all.
   */
  'tail_lines'?: (number | string | Long);
  /**
   * The previous (terminated) instance of the container.
   */
  'previous'?: (boolean);
  '_tail_lines'?: "tail_lines";
}

export interface LogsRequest__Output {
  'namespace'?: (string);
  'pod'?: (string);
  /**
   * Empty picks the pod's only container (an error if it has several).
   */
  'container'?: (string);
  'follow'?: (boolean);
  /**
   * Only the last N lines; 0 or unset means all.
   */
  'tail_lines'?: (number);
  /**
   * The previous (terminated) instance of the container.
   */
  'previous'?: (boolean);
}
