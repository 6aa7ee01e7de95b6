// Original file: proto/shoal/v1/core.proto

import type { IntOrString as _shoal_v1_IntOrString, IntOrString__Output as _shoal_v1_IntOrString__Output } from '../../shoal/v1/IntOrString.js';

export interface TCPSocketAction {
  'port'?: (_shoal_v1_IntOrString | null);
  'host'?: (string);
  '_host'?: "host";
}

export interface TCPSocketAction__Output {
  'port'?: (_shoal_v1_IntOrString__Output);
  'host'?: (string);
}
