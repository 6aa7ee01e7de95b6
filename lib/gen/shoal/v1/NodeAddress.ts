// Original file: proto/shoal/v1/core.proto


export interface NodeAddress {
  /**
   * Hostname, InternalIP or ExternalIP.
   */
  'type'?: (string);
  'address'?: (string);
  '_type'?: "type";
  '_address'?: "address";
}

export interface NodeAddress__Output {
  /**
   * Hostname, InternalIP or ExternalIP.
   */
  'type'?: (string);
  'address'?: (string);
}
