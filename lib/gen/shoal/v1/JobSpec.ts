// Original file: proto/shoal/v1/workloads.proto

import type { LabelSelector as _shoal_v1_LabelSelector, LabelSelector__Output as _shoal_v1_LabelSelector__Output } from '../../shoal/v1/LabelSelector.js';
import type { PodTemplateSpec as _shoal_v1_PodTemplateSpec, PodTemplateSpec__Output as _shoal_v1_PodTemplateSpec__Output } from '../../shoal/v1/PodTemplateSpec.js';
import type { Long } from '@grpc/proto-loader';

export interface JobSpec {
  'parallelism'?: (number);
  'completions'?: (number);
  'activeDeadlineSeconds'?: (number | string | Long);
  'backoffLimit'?: (number);
  'selector'?: (_shoal_v1_LabelSelector | null);
  'manualSelector'?: (boolean);
  'template'?: (_shoal_v1_PodTemplateSpec | null);
  'ttlSecondsAfterFinished'?: (number);
  /**
   * NonIndexed (default) or Indexed.
   */
  'completionMode'?: (string);
  'suspend'?: (boolean);
  '_parallelism'?: "parallelism";
  '_completions'?: "completions";
  '_activeDeadlineSeconds'?: "activeDeadlineSeconds";
  '_backoffLimit'?: "backoffLimit";
  '_manualSelector'?: "manualSelector";
  '_ttlSecondsAfterFinished'?: "ttlSecondsAfterFinished";
  '_completionMode'?: "completionMode";
  '_suspend'?: "suspend";
}

export interface JobSpec__Output {
  'parallelism'?: (number);
  'completions'?: (number);
  'activeDeadlineSeconds'?: (number);
  'backoffLimit'?: (number);
  'selector'?: (_shoal_v1_LabelSelector__Output);
  'manualSelector'?: (boolean);
  'template'?: (_shoal_v1_PodTemplateSpec__Output);
  'ttlSecondsAfterFinished'?: (number);
  /**
   * NonIndexed (default) or Indexed.
   */
  'completionMode'?: (string);
  'suspend'?: (boolean);
}
