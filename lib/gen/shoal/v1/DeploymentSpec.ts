// Original file: proto/shoal/v1/workloads.proto

import type { LabelSelector as _shoal_v1_LabelSelector, LabelSelector__Output as _shoal_v1_LabelSelector__Output } from '../../shoal/v1/LabelSelector.js';
import type { PodTemplateSpec as _shoal_v1_PodTemplateSpec, PodTemplateSpec__Output as _shoal_v1_PodTemplateSpec__Output } from '../../shoal/v1/PodTemplateSpec.js';
import type { DeploymentStrategy as _shoal_v1_DeploymentStrategy, DeploymentStrategy__Output as _shoal_v1_DeploymentStrategy__Output } from '../../shoal/v1/DeploymentStrategy.js';

export interface DeploymentSpec {
  'replicas'?: (number);
  'selector'?: (_shoal_v1_LabelSelector | null);
  'template'?: (_shoal_v1_PodTemplateSpec | null);
  'strategy'?: (_shoal_v1_DeploymentStrategy | null);
  'minReadySeconds'?: (number);
  'revisionHistoryLimit'?: (number);
  'paused'?: (boolean);
  'progressDeadlineSeconds'?: (number);
  '_replicas'?: "replicas";
  '_minReadySeconds'?: "minReadySeconds";
  '_revisionHistoryLimit'?: "revisionHistoryLimit";
  '_paused'?: "paused";
  '_progressDeadlineSeconds'?: "progressDeadlineSeconds";
}

export interface DeploymentSpec__Output {
  'replicas'?: (number);
  'selector'?: (_shoal_v1_LabelSelector__Output);
  'template'?: (_shoal_v1_PodTemplateSpec__Output);
  'strategy'?: (_shoal_v1_DeploymentStrategy__Output);
  'minReadySeconds'?: (number);
  'revisionHistoryLimit'?: (number);
  'paused'?: (boolean);
  'progressDeadlineSeconds'?: (number);
}
