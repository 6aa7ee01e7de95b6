// Original file: proto/shoal/v1/core.proto


export interface EmptyDirVolumeSource {
  'medium'?: (string);
  'sizeLimit'?: (string);
  '_medium'?: "medium";
  '_sizeLimit'?: "sizeLimit";
}

export interface EmptyDirVolumeSource__Output {
  'medium'?: (string);
  'sizeLimit'?: (string);
}
