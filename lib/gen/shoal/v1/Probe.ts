// Original file: proto/shoal/v1/core.proto

import type { ExecAction as _shoal_v1_ExecAction, ExecAction__Output as _shoal_v1_ExecAction__Output } from '../../shoal/v1/ExecAction.js';
import type { HTTPGetAction as _shoal_v1_HTTPGetAction, HTTPGetAction__Output as _shoal_v1_HTTPGetAction__Output } from '../../shoal/v1/HTTPGetAction.js';
import type { TCPSocketAction as _shoal_v1_TCPSocketAction, TCPSocketAction__Output as _shoal_v1_TCPSocketAction__Output } from '../../shoal/v1/TCPSocketAction.js';
import type { Long } from '@grpc/proto-loader';

export interface Probe {
  'exec'?: (_shoal_v1_ExecAction | null);
  'httpGet'?: (_shoal_v1_HTTPGetAction | null);
  'tcpSocket'?: (_shoal_v1_TCPSocketAction | null);
  'initialDelaySeconds'?: (number);
  'timeoutSeconds'?: (number);
  'periodSeconds'?: (number);
  'successThreshold'?: (number);
  'failureThreshold'?: (number);
  'terminationGracePeriodSeconds'?: (number | string | Long);
  '_initialDelaySeconds'?: "initialDelaySeconds";
  '_timeoutSeconds'?: "timeoutSeconds";
  '_periodSeconds'?: "periodSeconds";
  '_successThreshold'?: "successThreshold";
  '_failureThreshold'?: "failureThreshold";
  '_terminationGracePeriodSeconds'?: "terminationGracePeriodSeconds";
}

export interface Probe__Output {
  'exec'?: (_shoal_v1_ExecAction__Output);
  'httpGet'?: (_shoal_v1_HTTPGetAction__Output);
  'tcpSocket'?: (_shoal_v1_TCPSocketAction__Output);
  'initialDelaySeconds'?: (number);
  'timeoutSeconds'?: (number);
  'periodSeconds'?: (number);
  'successThreshold'?: (number);
  'failureThreshold'?: (number);
  'terminationGracePeriodSeconds'?: (number);
}
