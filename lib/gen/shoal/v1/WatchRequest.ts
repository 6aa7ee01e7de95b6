// Original file: proto/shoal/v1/api.proto


export interface WatchRequest {
  /**
   * Empty watches every kind.
   */
  'kind'?: (string);
  'namespace'?: (string);
  'label_selector'?: (string);
  'field_selector'?: (string);
  /**
   * Deliver every change after this revision. Empty starts at the current revision.
   */
  'resource_version'?: (string);
  /**
   * Send BOOKMARK events carrying the current revision while idle.
   */
  'allow_bookmarks'?: (boolean);
}

export interface WatchRequest__Output {
  /**
   * Empty watches every kind.
   */
  'kind'?: (string);
  'namespace'?: (string);
  'label_selector'?: (string);
  'field_selector'?: (string);
  /**
   * Deliver every change after this revision. Empty starts at the current revision.
   */
  'resource_version'?: (string);
  /**
   * Send BOOKMARK events carrying the current revision while idle.
   */
  'allow_bookmarks'?: (boolean);
}
