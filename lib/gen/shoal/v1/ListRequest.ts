// Original file: proto/shoal/v1/api.proto


export interface ListRequest {
  'kind'?: (string);
  /**
   * Empty lists every namespace.
   */
  'namespace'?: (string);
  /**
   * Kubernetes syntax, equality- and set-based: "app=web,tier in (a,b),!canary".
   */
  'label_selector'?: (string);
  /**
   * "metadata.name=x", "metadata.namespace!=y", "spec.nodeName=n1", "status.phase=Running".
   */
  'field_selector'?: (string);
  /**
   * Page size; 0 returns everything.
   */
  'limit'?: (number);
  /**
   * The continue_token of the previous page.
   */
  'continue_token'?: (string);
}

export interface ListRequest__Output {
  'kind'?: (string);
  /**
   * Empty lists every namespace.
   */
  'namespace'?: (string);
  /**
   * Kubernetes syntax, equality- and set-based: "app=web,tier in (a,b),!canary".
   */
  'label_selector'?: (string);
  /**
   * "metadata.name=x", "metadata.namespace!=y", "spec.nodeName=n1", "status.phase=Running".
   */
  'field_selector'?: (string);
  /**
   * Page size; 0 returns everything.
   */
  'limit'?: (number);
  /**
   * The continue_token of the previous page.
   */
  'continue_token'?: (string);
}
