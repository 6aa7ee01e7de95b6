// Original file: proto/shoal/v1/core.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { NamespaceSpec as _shoal_v1_NamespaceSpec, NamespaceSpec__Output as _shoal_v1_NamespaceSpec__Output } from '../../shoal/v1/NamespaceSpec.js';
import type { NamespaceStatus as _shoal_v1_NamespaceStatus, NamespaceStatus__Output as _shoal_v1_NamespaceStatus__Output } from '../../shoal/v1/NamespaceStatus.js';

export interface Namespace {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'spec'?: (_shoal_v1_NamespaceSpec | null);
  'status'?: (_shoal_v1_NamespaceStatus | null);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
}

export interface Namespace__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'spec'?: (_shoal_v1_NamespaceSpec__Output);
  'status'?: (_shoal_v1_NamespaceStatus__Output);
}
