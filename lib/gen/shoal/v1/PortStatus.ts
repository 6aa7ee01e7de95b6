// Original file: proto/shoal/v1/core.proto


export interface PortStatus {
  'port'?: (number);
  'protocol'?: (string);
  'error'?: (string);
  '_port'?: "port";
  '_protocol'?: "protocol";
  '_error'?: "error";
}

export interface PortStatus__Output {
  'port'?: (number);
  'protocol'?: (string);
  'error'?: (string);
}
