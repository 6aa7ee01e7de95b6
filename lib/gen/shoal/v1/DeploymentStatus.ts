// Original file: proto/shoal/v1/workloads.proto

import type { Condition as _shoal_v1_Condition, Condition__Output as _shoal_v1_Condition__Output } from '../../shoal/v1/Condition.js';
import type { Long } from '@grpc/proto-loader';

export interface DeploymentStatus {
  'observedGeneration'?: (number | string | Long);
  'replicas'?: (number);
  'updatedReplicas'?: (number);
  'readyReplicas'?: (number);
  'availableReplicas'?: (number);
  'unavailableReplicas'?: (number);
  'conditions'?: (_shoal_v1_Condition)[];
  'collisionCount'?: (number);
  '_observedGeneration'?: "observedGeneration";
  '_replicas'?: "replicas";
  '_updatedReplicas'?: "updatedReplicas";
  '_readyReplicas'?: "readyReplicas";
  '_availableReplicas'?: "availableReplicas";
  '_unavailableReplicas'?: "unavailableReplicas";
  '_collisionCount'?: "collisionCount";
}

export interface DeploymentStatus__Output {
  'observedGeneration'?: (number);
  'replicas'?: (number);
  'updatedReplicas'?: (number);
  'readyReplicas'?: (number);
  'availableReplicas'?: (number);
  'unavailableReplicas'?: (number);
  'conditions'?: (_shoal_v1_Condition__Output)[];
  'collisionCount'?: (number);
}
