// Original file: proto/shoal/v1/core.proto


export interface PersistentVolumeClaimVolumeSource {
  'claimName'?: (string);
  'readOnly'?: (boolean);
  '_claimName'?: "claimName";
  '_readOnly'?: "readOnly";
}

export interface PersistentVolumeClaimVolumeSource__Output {
  'claimName'?: (string);
  'readOnly'?: (boolean);
}
