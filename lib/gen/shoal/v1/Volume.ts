// Original file: proto/shoal/v1/core.proto

import type { EmptyDirVolumeSource as _shoal_v1_EmptyDirVolumeSource, EmptyDirVolumeSource__Output as _shoal_v1_EmptyDirVolumeSource__Output } from '../../shoal/v1/EmptyDirVolumeSource.js';
import type { HostPathVolumeSource as _shoal_v1_HostPathVolumeSource, HostPathVolumeSource__Output as _shoal_v1_HostPathVolumeSource__Output } from '../../shoal/v1/HostPathVolumeSource.js';
import type { ConfigMapVolumeSource as _shoal_v1_ConfigMapVolumeSource, ConfigMapVolumeSource__Output as _shoal_v1_ConfigMapVolumeSource__Output } from '../../shoal/v1/ConfigMapVolumeSource.js';
import type { SecretVolumeSource as _shoal_v1_SecretVolumeSource, SecretVolumeSource__Output as _shoal_v1_SecretVolumeSource__Output } from '../../shoal/v1/SecretVolumeSource.js';
import type { PersistentVolumeClaimVolumeSource as _shoal_v1_PersistentVolumeClaimVolumeSource, PersistentVolumeClaimVolumeSource__Output as _shoal_v1_PersistentVolumeClaimVolumeSource__Output } from '../../shoal/v1/PersistentVolumeClaimVolumeSource.js';

export interface Volume {
  'name'?: (string);
  'emptyDir'?: (_shoal_v1_EmptyDirVolumeSource | null);
  'hostPath'?: (_shoal_v1_HostPathVolumeSource | null);
  'configMap'?: (_shoal_v1_ConfigMapVolumeSource | null);
  'secret'?: (_shoal_v1_SecretVolumeSource | null);
  'persistentVolumeClaim'?: (_shoal_v1_PersistentVolumeClaimVolumeSource | null);
  '_name'?: "name";
}

export interface Volume__Output {
  'name'?: (string);
  'emptyDir'?: (_shoal_v1_EmptyDirVolumeSource__Output);
  'hostPath'?: (_shoal_v1_HostPathVolumeSource__Output);
  'configMap'?: (_shoal_v1_ConfigMapVolumeSource__Output);
  'secret'?: (_shoal_v1_SecretVolumeSource__Output);
  'persistentVolumeClaim'?: (_shoal_v1_PersistentVolumeClaimVolumeSource__Output);
}
