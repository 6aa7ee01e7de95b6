// Original file: proto/shoal/v1/core.proto


export interface NamespaceSpec {
  'finalizers'?: (string)[];
}

export interface NamespaceSpec__Output {
  'finalizers'?: (string)[];
}
