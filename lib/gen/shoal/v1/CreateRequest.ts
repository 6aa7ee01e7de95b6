// Original file: proto/shoal/v1/api.proto

import type { Object as _shoal_v1_Object, Object__Output as _shoal_v1_Object__Output } from '../../shoal/v1/Object.js';

export interface CreateRequest {
  'object'?: (_shoal_v1_Object | null);
  'dry_run'?: (boolean);
}

export interface CreateRequest__Output {
  'object'?: (_shoal_v1_Object__Output);
  'dry_run'?: (boolean);
}
