// Original file: proto/shoal/v1/api.proto


export interface ApplyRequest {
  /**
   * One or more YAML or JSON documents. Validated as a whole before anything is written.
   */
  'manifest'?: (string);
  /**
   * Namespace for documents that name none; empty means "default".
   */
  'namespace'?: (string);
  'dry_run'?: (boolean);
}

export interface ApplyRequest__Output {
  /**
   * One or more YAML or JSON documents. Validated as a whole before anything is written.
   */
  'manifest'?: (string);
  /**
   * Namespace for documents that name none; empty means "default".
   */
  'namespace'?: (string);
  'dry_run'?: (boolean);
}
