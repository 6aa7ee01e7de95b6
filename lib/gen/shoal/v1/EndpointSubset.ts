// Original file: proto/shoal/v1/core.proto

import type { EndpointAddress as _shoal_v1_EndpointAddress, EndpointAddress__Output as _shoal_v1_EndpointAddress__Output } from '../../shoal/v1/EndpointAddress.js';
import type { EndpointPort as _shoal_v1_EndpointPort, EndpointPort__Output as _shoal_v1_EndpointPort__Output } from '../../shoal/v1/EndpointPort.js';

export interface EndpointSubset {
  'addresses'?: (_shoal_v1_EndpointAddress)[];
  'notReadyAddresses'?: (_shoal_v1_EndpointAddress)[];
  'ports'?: (_shoal_v1_EndpointPort)[];
}

export interface EndpointSubset__Output {
  'addresses'?: (_shoal_v1_EndpointAddress__Output)[];
  'notReadyAddresses'?: (_shoal_v1_EndpointAddress__Output)[];
  'ports'?: (_shoal_v1_EndpointPort__Output)[];
}
