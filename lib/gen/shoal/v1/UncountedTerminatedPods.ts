// Original file: proto/shoal/v1/workloads.proto


/**
 * The uids of finished pods the Job controller has not yet added to the counters
 * (batch/v1 UncountedTerminatedPods). A uid is in at most one list, once.
 */
export interface UncountedTerminatedPods {
  'succeeded'?: (string)[];
  'failed'?: (string)[];
}

/**
 * The uids of finished pods the Job controller has not yet added to the counters
 * (batch/v1 UncountedTerminatedPods). A uid is in at most one list, once.
 */
export interface UncountedTerminatedPods__Output {
  'succeeded'?: (string)[];
  'failed'?: (string)[];
}
