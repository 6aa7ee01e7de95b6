// Original file: proto/shoal/v1/streams.proto


export interface LogChunk {
  'data'?: (Buffer | Uint8Array | string);
}

export interface LogChunk__Output {
  'data'?: (string);
}
