// Original file: proto/shoal/v1/core.proto


export interface NodeSelectorRequirement {
  'key'?: (string);
  /**
   * In, NotIn, Exists, DoesNotExist, Gt, Lt.
   */
  'operator'?: (string);
  'values'?: (string)[];
  '_key'?: "key";
  '_operator'?: "operator";
}

export interface NodeSelectorRequirement__Output {
  'key'?: (string);
  /**
   * In, NotIn, Exists, DoesNotExist, Gt, Lt.
   */
  'operator'?: (string);
  'values'?: (string)[];
}
