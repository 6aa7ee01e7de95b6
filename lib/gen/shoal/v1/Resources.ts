// Original file: proto/shoal/v1/api.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyRequest as _shoal_v1_ApplyRequest, ApplyRequest__Output as _shoal_v1_ApplyRequest__Output } from '../../shoal/v1/ApplyRequest.js';
import type { ApplyResponse as _shoal_v1_ApplyResponse, ApplyResponse__Output as _shoal_v1_ApplyResponse__Output } from '../../shoal/v1/ApplyResponse.js';
import type { CreateRequest as _shoal_v1_CreateRequest, CreateRequest__Output as _shoal_v1_CreateRequest__Output } from '../../shoal/v1/CreateRequest.js';
import type { DeleteRequest as _shoal_v1_DeleteRequest, DeleteRequest__Output as _shoal_v1_DeleteRequest__Output } from '../../shoal/v1/DeleteRequest.js';
import type { DeleteResponse as _shoal_v1_DeleteResponse, DeleteResponse__Output as _shoal_v1_DeleteResponse__Output } from '../../shoal/v1/DeleteResponse.js';
import type { ExecInput as _shoal_v1_ExecInput, ExecInput__Output as _shoal_v1_ExecInput__Output } from '../../shoal/v1/ExecInput.js';
import type { ExecOutput as _shoal_v1_ExecOutput, ExecOutput__Output as _shoal_v1_ExecOutput__Output } from '../../shoal/v1/ExecOutput.js';
import type { GetRequest as _shoal_v1_GetRequest, GetRequest__Output as _shoal_v1_GetRequest__Output } from '../../shoal/v1/GetRequest.js';
import type { ListRequest as _shoal_v1_ListRequest, ListRequest__Output as _shoal_v1_ListRequest__Output } from '../../shoal/v1/ListRequest.js';
import type { ListResponse as _shoal_v1_ListResponse, ListResponse__Output as _shoal_v1_ListResponse__Output } from '../../shoal/v1/ListResponse.js';
import type { LogChunk as _shoal_v1_LogChunk, LogChunk__Output as _shoal_v1_LogChunk__Output } from '../../shoal/v1/LogChunk.js';
import type { LogsRequest as _shoal_v1_LogsRequest, LogsRequest__Output as _shoal_v1_LogsRequest__Output } from '../../shoal/v1/LogsRequest.js';
import type { Object as _shoal_v1_Object, Object__Output as _shoal_v1_Object__Output } from '../../shoal/v1/Object.js';
import type { UpdateRequest as _shoal_v1_UpdateRequest, UpdateRequest__Output as _shoal_v1_UpdateRequest__Output } from '../../shoal/v1/UpdateRequest.js';
import type { VersionRequest as _shoal_v1_VersionRequest, VersionRequest__Output as _shoal_v1_VersionRequest__Output } from '../../shoal/v1/VersionRequest.js';
import type { VersionResponse as _shoal_v1_VersionResponse, VersionResponse__Output as _shoal_v1_VersionResponse__Output } from '../../shoal/v1/VersionResponse.js';
import type { WatchEvent as _shoal_v1_WatchEvent, WatchEvent__Output as _shoal_v1_WatchEvent__Output } from '../../shoal/v1/WatchEvent.js';
import type { WatchRequest as _shoal_v1_WatchRequest, WatchRequest__Output as _shoal_v1_WatchRequest__Output } from '../../shoal/v1/WatchRequest.js';

export interface ResourcesClient extends grpc.Client {
  /**
   * Declarative create-or-update, as kubectl apply: unchanged input writes nothing.
   */
  Apply(argument: _shoal_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _shoal_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _shoal_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _shoal_v1_ApplyRequest, callback: grpc.requestCallback<_shoal_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Declarative create-or-update, as kubectl apply: unchanged input writes nothing.
   */
  apply(argument: _shoal_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _shoal_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _shoal_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _shoal_v1_ApplyRequest, callback: grpc.requestCallback<_shoal_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Joins a container's main process, relayed to the pod's node agent (see ExecInput).
   */
  Attach(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  Attach(options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  /**
   * Joins a container's main process, relayed to the pod's node agent (see ExecInput).
   */
  attach(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  attach(options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  
  Create(argument: _shoal_v1_CreateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  Create(argument: _shoal_v1_CreateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  Create(argument: _shoal_v1_CreateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  Create(argument: _shoal_v1_CreateRequest, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  create(argument: _shoal_v1_CreateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  create(argument: _shoal_v1_CreateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  create(argument: _shoal_v1_CreateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  create(argument: _shoal_v1_CreateRequest, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  
  Delete(argument: _shoal_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _shoal_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _shoal_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _shoal_v1_DeleteRequest, callback: grpc.requestCallback<_shoal_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _shoal_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _shoal_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _shoal_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _shoal_v1_DeleteRequest, callback: grpc.requestCallback<_shoal_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A command in a container, relayed to the pod's node agent (see ExecInput).
   */
  Exec(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  Exec(options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  /**
   * A command in a container, relayed to the pod's node agent (see ExecInput).
   */
  exec(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  exec(options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_v1_ExecInput, _shoal_v1_ExecOutput__Output>;
  
  Get(argument: _shoal_v1_GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  Get(argument: _shoal_v1_GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  Get(argument: _shoal_v1_GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  Get(argument: _shoal_v1_GetRequest, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_v1_GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_v1_GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_v1_GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_v1_GetRequest, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  
  List(argument: _shoal_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _shoal_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _shoal_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _shoal_v1_ListRequest, callback: grpc.requestCallback<_shoal_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_v1_ListRequest, callback: grpc.requestCallback<_shoal_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A container's output, relayed from the pod's node agent.
   */
  Logs(argument: _shoal_v1_LogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_LogChunk__Output>;
  Logs(argument: _shoal_v1_LogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_LogChunk__Output>;
  /**
   * A container's output, relayed from the pod's node agent.
   */
  logs(argument: _shoal_v1_LogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_LogChunk__Output>;
  logs(argument: _shoal_v1_LogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_LogChunk__Output>;
  
  /**
   * Spec and metadata only; status is kept as stored.
   */
  Update(argument: _shoal_v1_UpdateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  Update(argument: _shoal_v1_UpdateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  Update(argument: _shoal_v1_UpdateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  Update(argument: _shoal_v1_UpdateRequest, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  /**
   * Spec and metadata only; status is kept as stored.
   */
  update(argument: _shoal_v1_UpdateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  update(argument: _shoal_v1_UpdateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  update(argument: _shoal_v1_UpdateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  update(argument: _shoal_v1_UpdateRequest, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  
  /**
   * Status only; spec and metadata are kept as stored.
   */
  UpdateStatus(argument: _shoal_v1_UpdateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  UpdateStatus(argument: _shoal_v1_UpdateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  UpdateStatus(argument: _shoal_v1_UpdateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  UpdateStatus(argument: _shoal_v1_UpdateRequest, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  /**
   * Status only; spec and metadata are kept as stored.
   */
  updateStatus(argument: _shoal_v1_UpdateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  updateStatus(argument: _shoal_v1_UpdateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  updateStatus(argument: _shoal_v1_UpdateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  updateStatus(argument: _shoal_v1_UpdateRequest, callback: grpc.requestCallback<_shoal_v1_Object__Output>): grpc.ClientUnaryCall;
  
  Version(argument: _shoal_v1_VersionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  Version(argument: _shoal_v1_VersionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  Version(argument: _shoal_v1_VersionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  Version(argument: _shoal_v1_VersionRequest, callback: grpc.requestCallback<_shoal_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  version(argument: _shoal_v1_VersionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  version(argument: _shoal_v1_VersionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  version(argument: _shoal_v1_VersionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  version(argument: _shoal_v1_VersionRequest, callback: grpc.requestCallback<_shoal_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  
  Watch(argument: _shoal_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_WatchEvent__Output>;
  Watch(argument: _shoal_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_WatchEvent__Output>;
  watch(argument: _shoal_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_WatchEvent__Output>;
  watch(argument: _shoal_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_WatchEvent__Output>;
  
}

export interface ResourcesHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Declarative create-or-update, as kubectl apply: unchanged input writes nothing.
   */
  Apply: grpc.handleUnaryCall<_shoal_v1_ApplyRequest__Output, _shoal_v1_ApplyResponse>;
  
  /**
   * Joins a container's main process, relayed to the pod's node agent (see ExecInput).
   */
  Attach: grpc.handleBidiStreamingCall<_shoal_v1_ExecInput__Output, _shoal_v1_ExecOutput>;
  
  Create: grpc.handleUnaryCall<_shoal_v1_CreateRequest__Output, _shoal_v1_Object>;
  
  Delete: grpc.handleUnaryCall<_shoal_v1_DeleteRequest__Output, _shoal_v1_DeleteResponse>;
  
  /**
   * A command in a container, relayed to the pod's node agent (see ExecInput).
   */
  Exec: grpc.handleBidiStreamingCall<_shoal_v1_ExecInput__Output, _shoal_v1_ExecOutput>;
  
  Get: grpc.handleUnaryCall<_shoal_v1_GetRequest__Output, _shoal_v1_Object>;
  
  List: grpc.handleUnaryCall<_shoal_v1_ListRequest__Output, _shoal_v1_ListResponse>;
  
  /**
   * A container's output, relayed from the pod's node agent.
   */
  Logs: grpc.handleServerStreamingCall<_shoal_v1_LogsRequest__Output, _shoal_v1_LogChunk>;
  
  /**
   * Spec and metadata only; status is kept as stored.
   */
  Update: grpc.handleUnaryCall<_shoal_v1_UpdateRequest__Output, _shoal_v1_Object>;
  
  /**
   * Status only; spec and metadata are kept as stored.
   */
  UpdateStatus: grpc.handleUnaryCall<_shoal_v1_UpdateRequest__Output, _shoal_v1_Object>;
  
  Version: grpc.handleUnaryCall<_shoal_v1_VersionRequest__Output, _shoal_v1_VersionResponse>;
  
  Watch: grpc.handleServerStreamingCall<_shoal_v1_WatchRequest__Output, _shoal_v1_WatchEvent>;
  
}

export interface ResourcesDefinition extends grpc.ServiceDefinition {
  Apply: MethodDefinition<_shoal_v1_ApplyRequest, _shoal_v1_ApplyResponse, _shoal_v1_ApplyRequest__Output, _shoal_v1_ApplyResponse__Output>
  Attach: MethodDefinition<_shoal_v1_ExecInput, _shoal_v1_ExecOutput, _shoal_v1_ExecInput__Output, _shoal_v1_ExecOutput__Output>
  Create: MethodDefinition<_shoal_v1_CreateRequest, _shoal_v1_Object, _shoal_v1_CreateRequest__Output, _shoal_v1_Object__Output>
  Delete: MethodDefinition<_shoal_v1_DeleteRequest, _shoal_v1_DeleteResponse, _shoal_v1_DeleteRequest__Output, _shoal_v1_DeleteResponse__Output>
  Exec: MethodDefinition<_shoal_v1_ExecInput, _shoal_v1_ExecOutput, _shoal_v1_ExecInput__Output, _shoal_v1_ExecOutput__Output>
  Get: MethodDefinition<_shoal_v1_GetRequest, _shoal_v1_Object, _shoal_v1_GetRequest__Output, _shoal_v1_Object__Output>
  List: MethodDefinition<_shoal_v1_ListRequest, _shoal_v1_ListResponse, _shoal_v1_ListRequest__Output, _shoal_v1_ListResponse__Output>
  Logs: MethodDefinition<_shoal_v1_LogsRequest, _shoal_v1_LogChunk, _shoal_v1_LogsRequest__Output, _shoal_v1_LogChunk__Output>
  Update: MethodDefinition<_shoal_v1_UpdateRequest, _shoal_v1_Object, _shoal_v1_UpdateRequest__Output, _shoal_v1_Object__Output>
  UpdateStatus: MethodDefinition<_shoal_v1_UpdateRequest, _shoal_v1_Object, _shoal_v1_UpdateRequest__Output, _shoal_v1_Object__Output>
  Version: MethodDefinition<_shoal_v1_VersionRequest, _shoal_v1_VersionResponse, _shoal_v1_VersionRequest__Output, _shoal_v1_VersionResponse__Output>
  Watch: MethodDefinition<_shoal_v1_WatchRequest, _shoal_v1_WatchEvent, _shoal_v1_WatchRequest__Output, _shoal_v1_WatchEvent__Output>
}
