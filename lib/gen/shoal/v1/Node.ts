// Original file: proto/shoal/v1/core.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { NodeSpec as _shoal_v1_NodeSpec, NodeSpec__Output as _shoal_v1_NodeSpec__Output } from '../../shoal/v1/NodeSpec.js';
import type { NodeStatus as _shoal_v1_NodeStatus, NodeStatus__Output as _shoal_v1_NodeStatus__Output } from '../../shoal/v1/NodeStatus.js';

export interface Node {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'spec'?: (_shoal_v1_NodeSpec | null);
  'status'?: (_shoal_v1_NodeStatus | null);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
}

export interface Node__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'spec'?: (_shoal_v1_NodeSpec__Output);
  'status'?: (_shoal_v1_NodeStatus__Output);
}
