// Original file: proto/shoal/v1/workloads.proto

import type { RollingUpdateDeployment as _shoal_v1_RollingUpdateDeployment, RollingUpdateDeployment__Output as _shoal_v1_RollingUpdateDeployment__Output } from '../../shoal/v1/RollingUpdateDeployment.js';

export interface DeploymentStrategy {
  /**
   * RollingUpdate (default) or Recreate.
   */
  'type'?: (string);
  'rollingUpdate'?: (_shoal_v1_RollingUpdateDeployment | null);
  '_type'?: "type";
}

export interface DeploymentStrategy__Output {
  /**
   * RollingUpdate (default) or Recreate.
   */
  'type'?: (string);
  'rollingUpdate'?: (_shoal_v1_RollingUpdateDeployment__Output);
}
