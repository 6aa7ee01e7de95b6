// Original file: proto/shoal/v1/core.proto

import type { NodeSelector as _shoal_v1_NodeSelector, NodeSelector__Output as _shoal_v1_NodeSelector__Output } from '../../shoal/v1/NodeSelector.js';
import type { PreferredSchedulingTerm as _shoal_v1_PreferredSchedulingTerm, PreferredSchedulingTerm__Output as _shoal_v1_PreferredSchedulingTerm__Output } from '../../shoal/v1/PreferredSchedulingTerm.js';

export interface NodeAffinity {
  'requiredDuringSchedulingIgnoredDuringExecution'?: (_shoal_v1_NodeSelector | null);
  'preferredDuringSchedulingIgnoredDuringExecution'?: (_shoal_v1_PreferredSchedulingTerm)[];
}

export interface NodeAffinity__Output {
  'requiredDuringSchedulingIgnoredDuringExecution'?: (_shoal_v1_NodeSelector__Output);
  'preferredDuringSchedulingIgnoredDuringExecution'?: (_shoal_v1_PreferredSchedulingTerm__Output)[];
}
