// Original file: proto/shoal/v1/workloads.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { DeploymentSpec as _shoal_v1_DeploymentSpec, DeploymentSpec__Output as _shoal_v1_DeploymentSpec__Output } from '../../shoal/v1/DeploymentSpec.js';
import type { DeploymentStatus as _shoal_v1_DeploymentStatus, DeploymentStatus__Output as _shoal_v1_DeploymentStatus__Output } from '../../shoal/v1/DeploymentStatus.js';

export interface Deployment {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'spec'?: (_shoal_v1_DeploymentSpec | null);
  'status'?: (_shoal_v1_DeploymentStatus | null);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
}

export interface Deployment__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'spec'?: (_shoal_v1_DeploymentSpec__Output);
  'status'?: (_shoal_v1_DeploymentStatus__Output);
}
