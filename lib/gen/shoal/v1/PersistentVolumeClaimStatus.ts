// Original file: proto/shoal/v1/core.proto

import type { Condition as _shoal_v1_Condition, Condition__Output as _shoal_v1_Condition__Output } from '../../shoal/v1/Condition.js';

export interface PersistentVolumeClaimStatus {
  /**
   * Pending, Bound or Lost.
   */
  'phase'?: (string);
  'accessModes'?: (string)[];
  'capacity'?: ({[key: string]: string});
  'conditions'?: (_shoal_v1_Condition)[];
  '_phase'?: "phase";
}

export interface PersistentVolumeClaimStatus__Output {
  /**
   * Pending, Bound or Lost.
   */
  'phase'?: (string);
  'accessModes'?: (string)[];
  'capacity'?: ({[key: string]: string});
  'conditions'?: (_shoal_v1_Condition__Output)[];
}
