// Original file: proto/shoal/v1/core.proto


export interface VolumeMount {
  'name'?: (string);
  'readOnly'?: (boolean);
  'mountPath'?: (string);
  'subPath'?: (string);
  '_name'?: "name";
  '_readOnly'?: "readOnly";
  '_mountPath'?: "mountPath";
  '_subPath'?: "subPath";
}

export interface VolumeMount__Output {
  'name'?: (string);
  'readOnly'?: (boolean);
  'mountPath'?: (string);
  'subPath'?: (string);
}
