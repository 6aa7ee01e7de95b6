// Original file: proto/shoal/v1/core.proto


export interface Taint {
  'key'?: (string);
  'value'?: (string);
  /**
   * NoSchedule, PreferNoSchedule or NoExecute.
   */
  'effect'?: (string);
  'timeAdded'?: (string);
  '_key'?: "key";
  '_value'?: "value";
  '_effect'?: "effect";
  '_timeAdded'?: "timeAdded";
}

export interface Taint__Output {
  'key'?: (string);
  'value'?: (string);
  /**
   * NoSchedule, PreferNoSchedule or NoExecute.
   */
  'effect'?: (string);
  'timeAdded'?: (string);
}
