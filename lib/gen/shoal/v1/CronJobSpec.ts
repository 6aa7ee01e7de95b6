// Original file: proto/shoal/v1/workloads.proto

import type { JobTemplateSpec as _shoal_v1_JobTemplateSpec, JobTemplateSpec__Output as _shoal_v1_JobTemplateSpec__Output } from '../../shoal/v1/JobTemplateSpec.js';
import type { Long } from '@grpc/proto-loader';

export interface CronJobSpec {
  'schedule'?: (string);
  'timeZone'?: (string);
  'startingDeadlineSeconds'?: (number | string | Long);
  /**
   * Allow (default), Forbid or Replace.
   */
  'concurrencyPolicy'?: (string);
  'suspend'?: (boolean);
  'jobTemplate'?: (_shoal_v1_JobTemplateSpec | null);
  'successfulJobsHistoryLimit'?: (number);
  'failedJobsHistoryLimit'?: (number);
  '_schedule'?: "schedule";
  '_timeZone'?: "timeZone";
  '_startingDeadlineSeconds'?: "startingDeadlineSeconds";
  '_concurrencyPolicy'?: "concurrencyPolicy";
  '_suspend'?: "suspend";
  '_successfulJobsHistoryLimit'?: "successfulJobsHistoryLimit";
  '_failedJobsHistoryLimit'?: "failedJobsHistoryLimit";
}

export interface CronJobSpec__Output {
  'schedule'?: (string);
  'timeZone'?: (string);
  'startingDeadlineSeconds'?: (number);
  /**
   * Allow (default), Forbid or Replace.
   */
  'concurrencyPolicy'?: (string);
  'suspend'?: (boolean);
  'jobTemplate'?: (_shoal_v1_JobTemplateSpec__Output);
  'successfulJobsHistoryLimit'?: (number);
  'failedJobsHistoryLimit'?: (number);
}
