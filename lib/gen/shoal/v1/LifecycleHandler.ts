// Original file: proto/shoal/v1/core.proto

import type { ExecAction as _shoal_v1_ExecAction, ExecAction__Output as _shoal_v1_ExecAction__Output } from '../../shoal/v1/ExecAction.js';
import type { HTTPGetAction as _shoal_v1_HTTPGetAction, HTTPGetAction__Output as _shoal_v1_HTTPGetAction__Output } from '../../shoal/v1/HTTPGetAction.js';
import type { TCPSocketAction as _shoal_v1_TCPSocketAction, TCPSocketAction__Output as _shoal_v1_TCPSocketAction__Output } from '../../shoal/v1/TCPSocketAction.js';

export interface LifecycleHandler {
  'exec'?: (_shoal_v1_ExecAction | null);
  'httpGet'?: (_shoal_v1_HTTPGetAction | null);
  'tcpSocket'?: (_shoal_v1_TCPSocketAction | null);
}

export interface LifecycleHandler__Output {
  'exec'?: (_shoal_v1_ExecAction__Output);
  'httpGet'?: (_shoal_v1_HTTPGetAction__Output);
  'tcpSocket'?: (_shoal_v1_TCPSocketAction__Output);
}
