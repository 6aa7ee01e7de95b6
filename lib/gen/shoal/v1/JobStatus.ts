// Original file: proto/shoal/v1/workloads.proto

import type { Condition as _shoal_v1_Condition, Condition__Output as _shoal_v1_Condition__Output } from '../../shoal/v1/Condition.js';
import type { UncountedTerminatedPods as _shoal_v1_UncountedTerminatedPods, UncountedTerminatedPods__Output as _shoal_v1_UncountedTerminatedPods__Output } from '../../shoal/v1/UncountedTerminatedPods.js';

export interface JobStatus {
  'conditions'?: (_shoal_v1_Condition)[];
  'startTime'?: (string);
  'completionTime'?: (string);
  'active'?: (number);
  'succeeded'?: (number);
  'failed'?: (number);
  'ready'?: (number);
  'completedIndexes'?: (string);
  /**
   * Pods that finished and are being counted: their uids are written here before their
   * tracking finalizers are removed, and move into succeeded/failed once they are.
   */
  'uncountedTerminatedPods'?: (_shoal_v1_UncountedTerminatedPods | null);
  '_startTime'?: "startTime";
  '_completionTime'?: "completionTime";
  '_active'?: "active";
  '_succeeded'?: "succeeded";
  '_failed'?: "failed";
  '_ready'?: "ready";
  '_completedIndexes'?: "completedIndexes";
}

export interface JobStatus__Output {
  'conditions'?: (_shoal_v1_Condition__Output)[];
  'startTime'?: (string);
  'completionTime'?: (string);
  'active'?: (number);
  'succeeded'?: (number);
  'failed'?: (number);
  'ready'?: (number);
  'completedIndexes'?: (string);
  /**
   * Pods that finished and are being counted: their uids are written here before their
   * tracking finalizers are removed, and move into succeeded/failed once they are.
   */
  'uncountedTerminatedPods'?: (_shoal_v1_UncountedTerminatedPods__Output);
}
