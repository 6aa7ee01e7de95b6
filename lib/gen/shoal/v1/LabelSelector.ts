// Original file: proto/shoal/v1/meta.proto

import type { LabelSelectorRequirement as _shoal_v1_LabelSelectorRequirement, LabelSelectorRequirement__Output as _shoal_v1_LabelSelectorRequirement__Output } from '../../shoal/v1/LabelSelectorRequirement.js';

export interface LabelSelector {
  'matchLabels'?: ({[key: string]: string});
  'matchExpressions'?: (_shoal_v1_LabelSelectorRequirement)[];
}

export interface LabelSelector__Output {
  'matchLabels'?: ({[key: string]: string});
  'matchExpressions'?: (_shoal_v1_LabelSelectorRequirement__Output)[];
}
