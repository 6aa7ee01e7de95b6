// Original file: proto/shoal/v1/workloads.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { JobSpec as _shoal_v1_JobSpec, JobSpec__Output as _shoal_v1_JobSpec__Output } from '../../shoal/v1/JobSpec.js';

export interface JobTemplateSpec {
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'spec'?: (_shoal_v1_JobSpec | null);
}

export interface JobTemplateSpec__Output {
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'spec'?: (_shoal_v1_JobSpec__Output);
}
