// Original file: proto/shoal/v1/core.proto

import type { Condition as _shoal_v1_Condition, Condition__Output as _shoal_v1_Condition__Output } from '../../shoal/v1/Condition.js';
import type { NodeAddress as _shoal_v1_NodeAddress, NodeAddress__Output as _shoal_v1_NodeAddress__Output } from '../../shoal/v1/NodeAddress.js';
import type { NodeDaemonEndpoints as _shoal_v1_NodeDaemonEndpoints, NodeDaemonEndpoints__Output as _shoal_v1_NodeDaemonEndpoints__Output } from '../../shoal/v1/NodeDaemonEndpoints.js';
import type { NodeSystemInfo as _shoal_v1_NodeSystemInfo, NodeSystemInfo__Output as _shoal_v1_NodeSystemInfo__Output } from '../../shoal/v1/NodeSystemInfo.js';

export interface NodeStatus {
  'capacity'?: ({[key: string]: string});
  'allocatable'?: ({[key: string]: string});
  'phase'?: (string);
  'conditions'?: (_shoal_v1_Condition)[];
  'addresses'?: (_shoal_v1_NodeAddress)[];
  'daemonEndpoints'?: (_shoal_v1_NodeDaemonEndpoints | null);
  'nodeInfo'?: (_shoal_v1_NodeSystemInfo | null);
  '_phase'?: "phase";
}

export interface NodeStatus__Output {
  'capacity'?: ({[key: string]: string});
  'allocatable'?: ({[key: string]: string});
  'phase'?: (string);
  'conditions'?: (_shoal_v1_Condition__Output)[];
  'addresses'?: (_shoal_v1_NodeAddress__Output)[];
  'daemonEndpoints'?: (_shoal_v1_NodeDaemonEndpoints__Output);
  'nodeInfo'?: (_shoal_v1_NodeSystemInfo__Output);
}
