// Original file: proto/shoal/v1/workloads.proto

import type { Condition as _shoal_v1_Condition, Condition__Output as _shoal_v1_Condition__Output } from '../../shoal/v1/Condition.js';

export interface JobStatus {
  'conditions'?: (_shoal_v1_Condition)[];
  'startTime'?: (string);
  'completionTime'?: (string);
  'active'?: (number);
  'succeeded'?: (number);
  'failed'?: (number);
  'ready'?: (number);
  'completedIndexes'?: (string);
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
}
