// Original file: proto/shoal/v1/core.proto


export interface DaemonEndpoint {
  'Port'?: (number);
  '_Port'?: "Port";
}

export interface DaemonEndpoint__Output {
  'Port'?: (number);
}
