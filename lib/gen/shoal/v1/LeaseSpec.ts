// Original file: proto/shoal/v1/workloads.proto


export interface LeaseSpec {
  'holderIdentity'?: (string);
  'leaseDurationSeconds'?: (number);
  /**
   * RFC 3339 with microseconds, as Kubernetes' MicroTime.
   */
  'acquireTime'?: (string);
  'renewTime'?: (string);
  'leaseTransitions'?: (number);
  '_holderIdentity'?: "holderIdentity";
  '_leaseDurationSeconds'?: "leaseDurationSeconds";
  '_acquireTime'?: "acquireTime";
  '_renewTime'?: "renewTime";
  '_leaseTransitions'?: "leaseTransitions";
}

export interface LeaseSpec__Output {
  'holderIdentity'?: (string);
  'leaseDurationSeconds'?: (number);
  /**
   * RFC 3339 with microseconds, as Kubernetes' MicroTime.
   */
  'acquireTime'?: (string);
  'renewTime'?: (string);
  'leaseTransitions'?: (number);
}
