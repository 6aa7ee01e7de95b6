// Original file: proto/shoal/v1/workloads.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { JobSpec as _shoal_v1_JobSpec, JobSpec__Output as _shoal_v1_JobSpec__Output } from '../../shoal/v1/JobSpec.js';
import type { JobStatus as _shoal_v1_JobStatus, JobStatus__Output as _shoal_v1_JobStatus__Output } from '../../shoal/v1/JobStatus.js';

export interface Job {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'spec'?: (_shoal_v1_JobSpec | null);
  'status'?: (_shoal_v1_JobStatus | null);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
}

export interface Job__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'spec'?: (_shoal_v1_JobSpec__Output);
  'status'?: (_shoal_v1_JobStatus__Output);
}
