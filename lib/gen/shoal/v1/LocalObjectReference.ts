// Original file: proto/shoal/v1/meta.proto


export interface LocalObjectReference {
  'name'?: (string);
  '_name'?: "name";
}

export interface LocalObjectReference__Output {
  'name'?: (string);
}
