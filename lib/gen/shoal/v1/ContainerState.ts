// Original file: proto/shoal/v1/core.proto

import type { ContainerStateWaiting as _shoal_v1_ContainerStateWaiting, ContainerStateWaiting__Output as _shoal_v1_ContainerStateWaiting__Output } from '../../shoal/v1/ContainerStateWaiting.js';
import type { ContainerStateRunning as _shoal_v1_ContainerStateRunning, ContainerStateRunning__Output as _shoal_v1_ContainerStateRunning__Output } from '../../shoal/v1/ContainerStateRunning.js';
import type { ContainerStateTerminated as _shoal_v1_ContainerStateTerminated, ContainerStateTerminated__Output as _shoal_v1_ContainerStateTerminated__Output } from '../../shoal/v1/ContainerStateTerminated.js';

export interface ContainerState {
  'waiting'?: (_shoal_v1_ContainerStateWaiting | null);
  'running'?: (_shoal_v1_ContainerStateRunning | null);
  'terminated'?: (_shoal_v1_ContainerStateTerminated | null);
}

export interface ContainerState__Output {
  'waiting'?: (_shoal_v1_ContainerStateWaiting__Output);
  'running'?: (_shoal_v1_ContainerStateRunning__Output);
  'terminated'?: (_shoal_v1_ContainerStateTerminated__Output);
}
