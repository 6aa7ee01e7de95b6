// Original file: proto/shoal/v1/workloads.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { CronJobSpec as _shoal_v1_CronJobSpec, CronJobSpec__Output as _shoal_v1_CronJobSpec__Output } from '../../shoal/v1/CronJobSpec.js';
import type { CronJobStatus as _shoal_v1_CronJobStatus, CronJobStatus__Output as _shoal_v1_CronJobStatus__Output } from '../../shoal/v1/CronJobStatus.js';

export interface CronJob {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'spec'?: (_shoal_v1_CronJobSpec | null);
  'status'?: (_shoal_v1_CronJobStatus | null);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
}

export interface CronJob__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'spec'?: (_shoal_v1_CronJobSpec__Output);
  'status'?: (_shoal_v1_CronJobStatus__Output);
}
