// Original file: proto/shoal/v1/core.proto


export interface HostPathVolumeSource {
  'path'?: (string);
  'type'?: (string);
  '_path'?: "path";
  '_type'?: "type";
}

export interface HostPathVolumeSource__Output {
  'path'?: (string);
  'type'?: (string);
}
