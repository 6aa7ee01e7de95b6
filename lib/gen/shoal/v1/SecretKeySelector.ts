// Original file: proto/shoal/v1/core.proto


export interface SecretKeySelector {
  'name'?: (string);
  'key'?: (string);
  'optional'?: (boolean);
  '_name'?: "name";
  '_key'?: "key";
  '_optional'?: "optional";
}

export interface SecretKeySelector__Output {
  'name'?: (string);
  'key'?: (string);
  'optional'?: (boolean);
}
