// Original file: proto/shoal/v1/core.proto


export interface PodIP {
  'ip'?: (string);
  '_ip'?: "ip";
}

export interface PodIP__Output {
  'ip'?: (string);
}
