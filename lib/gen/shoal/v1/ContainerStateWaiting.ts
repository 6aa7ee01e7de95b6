// Original file: proto/shoal/v1/core.proto


export interface ContainerStateWaiting {
  'reason'?: (string);
  'message'?: (string);
  '_reason'?: "reason";
  '_message'?: "message";
}

export interface ContainerStateWaiting__Output {
  'reason'?: (string);
  'message'?: (string);
}
