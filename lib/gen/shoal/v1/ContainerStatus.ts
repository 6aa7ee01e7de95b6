// Original file: proto/shoal/v1/core.proto

import type { ContainerState as _shoal_v1_ContainerState, ContainerState__Output as _shoal_v1_ContainerState__Output } from '../../shoal/v1/ContainerState.js';

export interface ContainerStatus {
  'name'?: (string);
  'state'?: (_shoal_v1_ContainerState | null);
  'lastState'?: (_shoal_v1_ContainerState | null);
  'ready'?: (boolean);
  'restartCount'?: (number);
  'image'?: (string);
  'imageID'?: (string);
  'containerID'?: (string);
  'started'?: (boolean);
  '_name'?: "name";
  '_ready'?: "ready";
  '_restartCount'?: "restartCount";
  '_image'?: "image";
  '_imageID'?: "imageID";
  '_containerID'?: "containerID";
  '_started'?: "started";
}

export interface ContainerStatus__Output {
  'name'?: (string);
  'state'?: (_shoal_v1_ContainerState__Output);
  'lastState'?: (_shoal_v1_ContainerState__Output);
  'ready'?: (boolean);
  'restartCount'?: (number);
  'image'?: (string);
  'imageID'?: (string);
  'containerID'?: (string);
  'started'?: (boolean);
}
