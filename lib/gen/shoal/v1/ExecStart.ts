// Original file: proto/shoal/v1/streams.proto


export interface ExecStart {
  'namespace'?: (string);
  'pod'?: (string);
  'container'?: (string);
  'command'?: (string)[];
  'stdin'?: (boolean);
  'tty'?: (boolean);
}

export interface ExecStart__Output {
  'namespace'?: (string);
  'pod'?: (string);
  'container'?: (string);
  'command'?: (string)[];
  'stdin'?: (boolean);
  'tty'?: (boolean);
}
