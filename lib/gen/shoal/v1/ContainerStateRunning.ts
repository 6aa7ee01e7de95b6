// Original file: proto/shoal/v1/core.proto


export interface ContainerStateRunning {
  'startedAt'?: (string);
  '_startedAt'?: "startedAt";
}

export interface ContainerStateRunning__Output {
  'startedAt'?: (string);
}
