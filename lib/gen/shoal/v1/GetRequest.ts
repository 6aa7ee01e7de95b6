// Original file: proto/shoal/v1/api.proto


export interface GetRequest {
  /**
   * A kind ("Deployment"), its plural ("deployments") or short name ("deploy").
   */
  'kind'?: (string);
  /**
   * Empty means "default" for namespaced kinds; ignored for cluster-scoped ones.
   */
  'namespace'?: (string);
  'name'?: (string);
}

export interface GetRequest__Output {
  /**
   * A kind ("Deployment"), its plural ("deployments") or short name ("deploy").
   */
  'kind'?: (string);
  /**
   * Empty means "default" for namespaced kinds; ignored for cluster-scoped ones.
   */
  'namespace'?: (string);
  'name'?: (string);
}
