// Original file: proto/shoal/v1/core.proto

import type { LabelSelector as _shoal_v1_LabelSelector, LabelSelector__Output as _shoal_v1_LabelSelector__Output } from '../../shoal/v1/LabelSelector.js';
import type { VolumeResourceRequirements as _shoal_v1_VolumeResourceRequirements, VolumeResourceRequirements__Output as _shoal_v1_VolumeResourceRequirements__Output } from '../../shoal/v1/VolumeResourceRequirements.js';

export interface PersistentVolumeClaimSpec {
  /**
   * ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod.
   */
  'accessModes'?: (string)[];
  'selector'?: (_shoal_v1_LabelSelector | null);
  'resources'?: (_shoal_v1_VolumeResourceRequirements | null);
  'volumeName'?: (string);
  'storageClassName'?: (string);
  /**
   * Filesystem (default) or Block.
   */
  'volumeMode'?: (string);
  '_volumeName'?: "volumeName";
  '_storageClassName'?: "storageClassName";
  '_volumeMode'?: "volumeMode";
}

export interface PersistentVolumeClaimSpec__Output {
  /**
   * ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod.
   */
  'accessModes'?: (string)[];
  'selector'?: (_shoal_v1_LabelSelector__Output);
  'resources'?: (_shoal_v1_VolumeResourceRequirements__Output);
  'volumeName'?: (string);
  'storageClassName'?: (string);
  /**
   * Filesystem (default) or Block.
   */
  'volumeMode'?: (string);
}
