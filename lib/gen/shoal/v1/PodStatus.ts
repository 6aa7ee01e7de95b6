// Original file: proto/shoal/v1/core.proto

import type { Condition as _shoal_v1_Condition, Condition__Output as _shoal_v1_Condition__Output } from '../../shoal/v1/Condition.js';
import type { PodIP as _shoal_v1_PodIP, PodIP__Output as _shoal_v1_PodIP__Output } from '../../shoal/v1/PodIP.js';
import type { ContainerStatus as _shoal_v1_ContainerStatus, ContainerStatus__Output as _shoal_v1_ContainerStatus__Output } from '../../shoal/v1/ContainerStatus.js';

export interface PodStatus {
  /**
   * Pending, Running, Succeeded, Failed or Unknown.
   */
  'phase'?: (string);
  'conditions'?: (_shoal_v1_Condition)[];
  'message'?: (string);
  'reason'?: (string);
  'hostIP'?: (string);
  'podIP'?: (string);
  'podIPs'?: (_shoal_v1_PodIP)[];
  'startTime'?: (string);
  'initContainerStatuses'?: (_shoal_v1_ContainerStatus)[];
  'containerStatuses'?: (_shoal_v1_ContainerStatus)[];
  'qosClass'?: (string);
  'nominatedNodeName'?: (string);
  '_phase'?: "phase";
  '_message'?: "message";
  '_reason'?: "reason";
  '_hostIP'?: "hostIP";
  '_podIP'?: "podIP";
  '_startTime'?: "startTime";
  '_qosClass'?: "qosClass";
  '_nominatedNodeName'?: "nominatedNodeName";
}

export interface PodStatus__Output {
  /**
   * Pending, Running, Succeeded, Failed or Unknown.
   */
  'phase'?: (string);
  'conditions'?: (_shoal_v1_Condition__Output)[];
  'message'?: (string);
  'reason'?: (string);
  'hostIP'?: (string);
  'podIP'?: (string);
  'podIPs'?: (_shoal_v1_PodIP__Output)[];
  'startTime'?: (string);
  'initContainerStatuses'?: (_shoal_v1_ContainerStatus__Output)[];
  'containerStatuses'?: (_shoal_v1_ContainerStatus__Output)[];
  'qosClass'?: (string);
  'nominatedNodeName'?: (string);
}
