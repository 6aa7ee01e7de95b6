// Original file: proto/shoal/v1/meta.proto

import type { Long } from '@grpc/proto-loader';

export interface Condition {
  'type'?: (string);
  /**
   * True, False or Unknown.
   */
  'status'?: (string);
  'reason'?: (string);
  'message'?: (string);
  'lastTransitionTime'?: (string);
  'lastUpdateTime'?: (string);
  'lastHeartbeatTime'?: (string);
  'lastProbeTime'?: (string);
  'observedGeneration'?: (number | string | Long);
  '_type'?: "type";
  '_status'?: "status";
  '_reason'?: "reason";
  '_message'?: "message";
  '_lastTransitionTime'?: "lastTransitionTime";
  '_lastUpdateTime'?: "lastUpdateTime";
  '_lastHeartbeatTime'?: "lastHeartbeatTime";
  '_lastProbeTime'?: "lastProbeTime";
  '_observedGeneration'?: "observedGeneration";
}

export interface Condition__Output {
  'type'?: (string);
  /**
   * True, False or Unknown.
   */
  'status'?: (string);
  'reason'?: (string);
  'message'?: (string);
  'lastTransitionTime'?: (string);
  'lastUpdateTime'?: (string);
  'lastHeartbeatTime'?: (string);
  'lastProbeTime'?: (string);
  'observedGeneration'?: (number);
}
