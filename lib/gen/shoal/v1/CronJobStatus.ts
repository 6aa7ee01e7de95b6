// Original file: proto/shoal/v1/workloads.proto

import type { ObjectReference as _shoal_v1_ObjectReference, ObjectReference__Output as _shoal_v1_ObjectReference__Output } from '../../shoal/v1/ObjectReference.js';

export interface CronJobStatus {
  'active'?: (_shoal_v1_ObjectReference)[];
  'lastScheduleTime'?: (string);
  'lastSuccessfulTime'?: (string);
  '_lastScheduleTime'?: "lastScheduleTime";
  '_lastSuccessfulTime'?: "lastSuccessfulTime";
}

export interface CronJobStatus__Output {
  'active'?: (_shoal_v1_ObjectReference__Output)[];
  'lastScheduleTime'?: (string);
  'lastSuccessfulTime'?: (string);
}
