// Original file: proto/shoal/v1/core.proto


export interface SecretEnvSource {
  'name'?: (string);
  'optional'?: (boolean);
  '_name'?: "name";
  '_optional'?: "optional";
}

export interface SecretEnvSource__Output {
  'name'?: (string);
  'optional'?: (boolean);
}
