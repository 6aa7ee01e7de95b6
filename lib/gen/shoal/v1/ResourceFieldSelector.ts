// Original file: proto/shoal/v1/core.proto


export interface ResourceFieldSelector {
  'containerName'?: (string);
  'resource'?: (string);
  'divisor'?: (string);
  '_containerName'?: "containerName";
  '_resource'?: "resource";
  '_divisor'?: "divisor";
}

export interface ResourceFieldSelector__Output {
  'containerName'?: (string);
  'resource'?: (string);
  'divisor'?: (string);
}
