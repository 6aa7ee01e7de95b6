// Original file: proto/shoal/v1/core.proto


export interface ContainerPort {
  'name'?: (string);
  'hostPort'?: (number);
  'containerPort'?: (number);
  /**
   * TCP (default), UDP or SCTP.
   */
  'protocol'?: (string);
  'hostIP'?: (string);
  '_name'?: "name";
  '_hostPort'?: "hostPort";
  '_containerPort'?: "containerPort";
  '_protocol'?: "protocol";
  '_hostIP'?: "hostIP";
}

export interface ContainerPort__Output {
  'name'?: (string);
  'hostPort'?: (number);
  'containerPort'?: (number);
  /**
   * TCP (default), UDP or SCTP.
   */
  'protocol'?: (string);
  'hostIP'?: (string);
}
