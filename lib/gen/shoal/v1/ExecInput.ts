// Original file: proto/shoal/v1/streams.proto

import type { ExecStart as _shoal_v1_ExecStart, ExecStart__Output as _shoal_v1_ExecStart__Output } from '../../shoal/v1/ExecStart.js';

/**
 * The client's side of an exec stream: the first message is `start`, then stdin data; an
 * empty `stdin_eof` closes stdin.
 */
export interface ExecInput {
  'start'?: (_shoal_v1_ExecStart | null);
  'stdin'?: (Buffer | Uint8Array | string);
  'stdin_eof'?: (boolean);
  'input'?: "start"|"stdin"|"stdin_eof";
}

/**
 * The client's side of an exec stream: the first message is `start`, then stdin data; an
 * empty `stdin_eof` closes stdin.
 */
export interface ExecInput__Output {
  'start'?: (_shoal_v1_ExecStart__Output);
  'stdin'?: (string);
  'stdin_eof'?: (boolean);
}
