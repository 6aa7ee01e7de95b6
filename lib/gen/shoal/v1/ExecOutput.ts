// Original file: proto/shoal/v1/streams.proto


/**
 * The server's side: output, then exactly one `exit_code` as the last message. An attach
 * ends with `exit_code` when the container has exited, and without one when it still runs
 * (the client detached).
 */
export interface ExecOutput {
  'stdout'?: (Buffer | Uint8Array | string);
  'stderr'?: (Buffer | Uint8Array | string);
  'exit_code'?: (number);
  'output'?: "stdout"|"stderr"|"exit_code";
}

/**
 * The server's side: output, then exactly one `exit_code` as the last message. An attach
 * ends with `exit_code` when the container has exited, and without one when it still runs
 * (the client detached).
 */
export interface ExecOutput__Output {
  'stdout'?: (string);
  'stderr'?: (string);
  'exit_code'?: (number);
}
