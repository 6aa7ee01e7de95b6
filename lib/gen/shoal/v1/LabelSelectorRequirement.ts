// Original file: proto/shoal/v1/meta.proto


export interface LabelSelectorRequirement {
  'key'?: (string);
  /**
   * In, NotIn, Exists, DoesNotExist.
   */
  'operator'?: (string);
  'values'?: (string)[];
  '_key'?: "key";
  '_operator'?: "operator";
}

export interface LabelSelectorRequirement__Output {
  'key'?: (string);
  /**
   * In, NotIn, Exists, DoesNotExist.
   */
  'operator'?: (string);
  'values'?: (string)[];
}
