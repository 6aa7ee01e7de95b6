// Original file: proto/shoal/v1/streams.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ExecInput as _shoal_v1_ExecInput, ExecInput__Output as _shoal_v1_ExecInput__Output } from '../../shoal/v1/ExecInput.js';
import type { ExecOutput as _shoal_v1_ExecOutput, ExecOutput__Output as _shoal_v1_ExecOutput__Output } from '../../shoal/v1/ExecOutput.js';
import type { LogChunk as _shoal_v1_LogChunk, LogChunk__Output as _shoal_v1_LogChunk__Output } from '../../shoal/v1/LogChunk.js';
import type { LogsRequest as _shoal_v1_LogsRequest, LogsRequest__Output as _shoal_v1_LogsRequest__Output } from '../../shoal/v1/LogsRequest.js';

/**
 * Served by every node agent; the API server is its only client.
 */
export interface NodeAgentClient extends grpc.Client {
  /**
   * Joins a container's main process (kubectl attach): its output, and its stdin.
   */
  Attach(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  Attach(options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  /**
   * Joins a container's main process (kubectl attach): its output, and its stdin.
   */
  attach(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  attach(options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  
  Exec(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  Exec(options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  exec(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  exec(options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  
  Logs(argument: _shoal_v1_LogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_LogChunk__Output>;
  Logs(argument: _shoal_v1_LogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_LogChunk__Output>;
  logs(argument: _shoal_v1_LogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_LogChunk__Output>;
  logs(argument: _shoal_v1_LogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_LogChunk__Output>;
  
}

/**
 * Served by every node agent; the API server is its only client.
 */
export interface NodeAgentHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Joins a container's main process (kubectl attach): its output, and its stdin.
   */
  Attach: grpc.handleBidiStreamingCall<_shoal_v1_ExecInput__Output, _shoal_v1_ExecOutput>;
  
  Exec: grpc.handleBidiStreamingCall<_shoal_v1_ExecInput__Output, _shoal_v1_ExecOutput>;
  
  Logs: grpc.handleServerStreamingCall<_shoal_v1_LogsRequest__Output, _shoal_v1_LogChunk>;
  
}

export interface NodeAgentDefinition extends grpc.ServiceDefinition {
  Attach: MethodDefinition<_shoal_v1_ExecInput, _shoal_v1_ExecOutput, _shoal_v1_ExecInput__Output, _shoal_v1_ExecOutput__Output>
  Exec: MethodDefinition<_shoal_v1_ExecInput, _shoal_v1_ExecOutput, _shoal_v1_ExecInput__Output, _shoal_v1_ExecOutput__Output>
  Logs: MethodDefinition<_shoal_v1_LogsRequest, _shoal_v1_LogChunk, _shoal_v1_LogsRequest__Output, _shoal_v1_LogChunk__Output>
}
