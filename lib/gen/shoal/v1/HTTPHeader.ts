// Original file: proto/shoal/v1/core.proto


export interface HTTPHeader {
  'name'?: (string);
  'value'?: (string);
  '_name'?: "name";
  '_value'?: "value";
}

export interface HTTPHeader__Output {
  'name'?: (string);
  'value'?: (string);
}
