// Original file: proto/shoal/v1/core.proto


export interface ConfigMapEnvSource {
  'name'?: (string);
  'optional'?: (boolean);
  '_name'?: "name";
  '_optional'?: "optional";
}

export interface ConfigMapEnvSource__Output {
  'name'?: (string);
  'optional'?: (boolean);
}
