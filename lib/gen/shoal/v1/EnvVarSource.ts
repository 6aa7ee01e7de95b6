// Original file: proto/shoal/v1/core.proto

import type { ObjectFieldSelector as _shoal_v1_ObjectFieldSelector, ObjectFieldSelector__Output as _shoal_v1_ObjectFieldSelector__Output } from '../../shoal/v1/ObjectFieldSelector.js';
import type { ResourceFieldSelector as _shoal_v1_ResourceFieldSelector, ResourceFieldSelector__Output as _shoal_v1_ResourceFieldSelector__Output } from '../../shoal/v1/ResourceFieldSelector.js';
import type { ConfigMapKeySelector as _shoal_v1_ConfigMapKeySelector, ConfigMapKeySelector__Output as _shoal_v1_ConfigMapKeySelector__Output } from '../../shoal/v1/ConfigMapKeySelector.js';
import type { SecretKeySelector as _shoal_v1_SecretKeySelector, SecretKeySelector__Output as _shoal_v1_SecretKeySelector__Output } from '../../shoal/v1/SecretKeySelector.js';

export interface EnvVarSource {
  'fieldRef'?: (_shoal_v1_ObjectFieldSelector | null);
  'resourceFieldRef'?: (_shoal_v1_ResourceFieldSelector | null);
  'configMapKeyRef'?: (_shoal_v1_ConfigMapKeySelector | null);
  'secretKeyRef'?: (_shoal_v1_SecretKeySelector | null);
}

export interface EnvVarSource__Output {
  'fieldRef'?: (_shoal_v1_ObjectFieldSelector__Output);
  'resourceFieldRef'?: (_shoal_v1_ResourceFieldSelector__Output);
  'configMapKeyRef'?: (_shoal_v1_ConfigMapKeySelector__Output);
  'secretKeyRef'?: (_shoal_v1_SecretKeySelector__Output);
}
