// Original file: proto/shoal/v1/api.proto

import type { ApplyResult as _shoal_v1_ApplyResult, ApplyResult__Output as _shoal_v1_ApplyResult__Output } from '../../shoal/v1/ApplyResult.js';

export interface ApplyResponse {
  'results'?: (_shoal_v1_ApplyResult)[];
}

export interface ApplyResponse__Output {
  'results'?: (_shoal_v1_ApplyResult__Output)[];
}
