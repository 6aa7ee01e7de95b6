// Original file: proto/shoal/v1/core.proto

import type { Long } from '@grpc/proto-loader';

export interface Toleration {
  'key'?: (string);
  /**
   * Exists or Equal (default).
   */
  'operator'?: (string);
  'value'?: (string);
  /**
   * NoSchedule, PreferNoSchedule or NoExecute; empty matches all.
   */
  'effect'?: (string);
  'tolerationSeconds'?: (number | string | Long);
  '_key'?: "key";
  '_operator'?: "operator";
  '_value'?: "value";
  '_effect'?: "effect";
  '_tolerationSeconds'?: "tolerationSeconds";
}

export interface Toleration__Output {
  'key'?: (string);
  /**
   * Exists or Equal (default).
   */
  'operator'?: (string);
  'value'?: (string);
  /**
   * NoSchedule, PreferNoSchedule or NoExecute; empty matches all.
   */
  'effect'?: (string);
  'tolerationSeconds'?: (number);
}
