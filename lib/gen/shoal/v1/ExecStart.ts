// Original file: proto/shoal/v1/streams.proto


/**
 * Starts an exec, or an attach (then `command` is ignored: attach joins the container's own
 * process, its stdin when `stdin` is set and the container has `stdin: true`).
 */
export interface ExecStart {
  'namespace'?: (string);
  'pod'?: (string);
  'container'?: (string);
  'command'?: (string)[];
  'stdin'?: (boolean);
  'tty'?: (boolean);
}

/**
 * Starts an exec, or an attach (then `command` is ignored: attach joins the container's own
 * process, its stdin when `stdin` is set and the container has `stdin: true`).
 */
export interface ExecStart__Output {
  'namespace'?: (string);
  'pod'?: (string);
  'container'?: (string);
  'command'?: (string)[];
  'stdin'?: (boolean);
  'tty'?: (boolean);
}
