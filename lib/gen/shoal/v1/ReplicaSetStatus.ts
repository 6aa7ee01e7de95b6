// Original file: proto/shoal/v1/workloads.proto

import type { Condition as _shoal_v1_Condition, Condition__Output as _shoal_v1_Condition__Output } from '../../shoal/v1/Condition.js';
import type { Long } from '@grpc/proto-loader';

export interface ReplicaSetStatus {
  'replicas'?: (number);
  'fullyLabeledReplicas'?: (number);
  'readyReplicas'?: (number);
  'availableReplicas'?: (number);
  'observedGeneration'?: (number | string | Long);
  'conditions'?: (_shoal_v1_Condition)[];
  '_replicas'?: "replicas";
  '_fullyLabeledReplicas'?: "fullyLabeledReplicas";
  '_readyReplicas'?: "readyReplicas";
  '_availableReplicas'?: "availableReplicas";
  '_observedGeneration'?: "observedGeneration";
}

export interface ReplicaSetStatus__Output {
  'replicas'?: (number);
  'fullyLabeledReplicas'?: (number);
  'readyReplicas'?: (number);
  'availableReplicas'?: (number);
  'observedGeneration'?: (number);
  'conditions'?: (_shoal_v1_Condition__Output)[];
}
