// Original file: proto/shoal/v1/core.proto

import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from '../../shoal/v1/ObjectMeta.js';
import type { ObjectReference as _shoal_v1_ObjectReference, ObjectReference__Output as _shoal_v1_ObjectReference__Output } from '../../shoal/v1/ObjectReference.js';
import type { EventSource as _shoal_v1_EventSource, EventSource__Output as _shoal_v1_EventSource__Output } from '../../shoal/v1/EventSource.js';

export interface Event {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta | null);
  'involvedObject'?: (_shoal_v1_ObjectReference | null);
  /**
   * A CamelCase machine-readable reason, such as FailedScheduling.
   */
  'reason'?: (string);
  'message'?: (string);
  'source'?: (_shoal_v1_EventSource | null);
  'firstTimestamp'?: (string);
  'lastTimestamp'?: (string);
  'count'?: (number);
  /**
   * Normal or Warning.
   */
  'type'?: (string);
  'eventTime'?: (string);
  'action'?: (string);
  'reportingComponent'?: (string);
  'reportingInstance'?: (string);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
  '_reason'?: "reason";
  '_message'?: "message";
  '_firstTimestamp'?: "firstTimestamp";
  '_lastTimestamp'?: "lastTimestamp";
  '_count'?: "count";
  '_type'?: "type";
  '_eventTime'?: "eventTime";
  '_action'?: "action";
  '_reportingComponent'?: "reportingComponent";
  '_reportingInstance'?: "reportingInstance";
}

export interface Event__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_shoal_v1_ObjectMeta__Output);
  'involvedObject'?: (_shoal_v1_ObjectReference__Output);
  /**
   * A CamelCase machine-readable reason, such as FailedScheduling.
   */
  'reason'?: (string);
  'message'?: (string);
  'source'?: (_shoal_v1_EventSource__Output);
  'firstTimestamp'?: (string);
  'lastTimestamp'?: (string);
  'count'?: (number);
  /**
   * Normal or Warning.
   */
  'type'?: (string);
  'eventTime'?: (string);
  'action'?: (string);
  'reportingComponent'?: (string);
  'reportingInstance'?: (string);
}
