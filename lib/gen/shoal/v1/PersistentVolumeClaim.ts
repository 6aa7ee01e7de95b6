// Original file: proto/shoal/v1/core.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { PersistentVolumeClaimSpec as _shoal_v1_PersistentVolumeClaimSpec, PersistentVolumeClaimSpec__Output as _shoal_v1_PersistentVolumeClaimSpec__Output } from '../../shoal/v1/PersistentVolumeClaimSpec.js';
import type { PersistentVolumeClaimStatus as _shoal_v1_PersistentVolumeClaimStatus, PersistentVolumeClaimStatus__Output as _shoal_v1_PersistentVolumeClaimStatus__Output } from '../../shoal/v1/PersistentVolumeClaimStatus.js';

export interface PersistentVolumeClaim {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'spec'?: (_shoal_v1_PersistentVolumeClaimSpec | null);
  'status'?: (_shoal_v1_PersistentVolumeClaimStatus | null);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
}

export interface PersistentVolumeClaim__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'spec'?: (_shoal_v1_PersistentVolumeClaimSpec__Output);
  'status'?: (_shoal_v1_PersistentVolumeClaimStatus__Output);
}
