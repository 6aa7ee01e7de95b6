// Original file: proto/shoal/v1/core.proto

import type { IntOrString as _shoal_v1_IntOrString, IntOrString__Output as _shoal_v1_IntOrString__Output } from '../../shoal/v1/IntOrString.js';

export interface ServicePort {
  'name'?: (string);
  /**
   * TCP (default), UDP or SCTP.
   */
  'protocol'?: (string);
  'appProtocol'?: (string);
  'port'?: (number);
  'targetPort'?: (_shoal_v1_IntOrString | null);
  'nodePort'?: (number);
  '_name'?: "name";
  '_protocol'?: "protocol";
  '_appProtocol'?: "appProtocol";
  '_port'?: "port";
  '_nodePort'?: "nodePort";
}

export interface ServicePort__Output {
  'name'?: (string);
  /**
   * TCP (default), UDP or SCTP.
   */
  'protocol'?: (string);
  'appProtocol'?: (string);
  'port'?: (number);
  'targetPort'?: (_shoal_v1_IntOrString__Output);
  'nodePort'?: (number);
}
