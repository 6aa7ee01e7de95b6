// Original file: proto/shoal/v1/api.proto

import type { PropagationPolicy as _shoal_v1_PropagationPolicy, PropagationPolicy__Output as _shoal_v1_PropagationPolicy__Output } from '../../shoal/v1/PropagationPolicy.js';
import type { Long } from '@grpc/proto-loader';

export interface DeleteRequest {
  'kind'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'propagation_policy'?: (_shoal_v1_PropagationPolicy);
  /**
   * If set, the delete only happens at this resourceVersion (ABORTED otherwise).
   */
  'resource_version'?: (string);
  /**
   * Pods bound to a node are terminated gracefully; 0 deletes at once. Unset takes the
   * pod's terminationGracePeriodSeconds.
   */
  'grace_period_seconds'?: (number | string | Long);
  'dry_run'?: (boolean);
  '_grace_period_seconds'?: "grace_period_seconds";
}

export interface DeleteRequest__Output {
  'kind'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'propagation_policy'?: (_shoal_v1_PropagationPolicy__Output);
  /**
   * If set, the delete only happens at this resourceVersion (ABORTED otherwise).
   */
  'resource_version'?: (string);
  /**
   * Pods bound to a node are terminated gracefully; 0 deletes at once. Unset takes the
   * pod's terminationGracePeriodSeconds.
   */
  'grace_period_seconds'?: (number);
  'dry_run'?: (boolean);
}
