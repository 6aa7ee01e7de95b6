// Original file: proto/shoal/v1/core.proto

import type { Condition as _shoal_v1_Condition, Condition__Output as _shoal_v1_Condition__Output } from '../../shoal/v1/Condition.js';

export interface NamespaceStatus {
  /**
   * Active or Terminating.
   */
  'phase'?: (string);
  'conditions'?: (_shoal_v1_Condition)[];
  '_phase'?: "phase";
}

export interface NamespaceStatus__Output {
  /**
   * Active or Terminating.
   */
  'phase'?: (string);
  'conditions'?: (_shoal_v1_Condition__Output)[];
}
