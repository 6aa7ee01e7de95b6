// Original file: proto/shoal/v1/core.proto

import type { IntOrString as _shoal_v1_IntOrString, IntOrString__Output as _shoal_v1_IntOrString__Output } from '../../shoal/v1/IntOrString.js';
import type { HTTPHeader as _shoal_v1_HTTPHeader, HTTPHeader__Output as _shoal_v1_HTTPHeader__Output } from '../../shoal/v1/HTTPHeader.js';

export interface HTTPGetAction {
  'path'?: (string);
  'port'?: (_shoal_v1_IntOrString | null);
  'host'?: (string);
  /**
   * HTTP (default) or HTTPS.
   */
  'scheme'?: (string);
  'httpHeaders'?: (_shoal_v1_HTTPHeader)[];
  '_path'?: "path";
  '_host'?: "host";
  '_scheme'?: "scheme";
}

export interface HTTPGetAction__Output {
  'path'?: (string);
  'port'?: (_shoal_v1_IntOrString__Output);
  'host'?: (string);
  /**
   * HTTP (default) or HTTPS.
   */
  'scheme'?: (string);
  'httpHeaders'?: (_shoal_v1_HTTPHeader__Output)[];
}
