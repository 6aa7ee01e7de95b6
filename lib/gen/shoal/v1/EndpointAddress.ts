// Original file: proto/shoal/v1/core.proto

import type { ObjectReference as _shoal_v1_ObjectReference, ObjectReference__Output as _shoal_v1_ObjectReference__Output } from '../../shoal/v1/ObjectReference.js';

export interface EndpointAddress {
  'ip'?: (string);
  'hostname'?: (string);
  'nodeName'?: (string);
  'targetRef'?: (_shoal_v1_ObjectReference | null);
  '_ip'?: "ip";
  '_hostname'?: "hostname";
  '_nodeName'?: "nodeName";
}

export interface EndpointAddress__Output {
  'ip'?: (string);
  'hostname'?: (string);
  'nodeName'?: (string);
  'targetRef'?: (_shoal_v1_ObjectReference__Output);
}
