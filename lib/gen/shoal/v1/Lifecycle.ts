// Original file: proto/shoal/v1/core.proto

import type { LifecycleHandler as _shoal_v1_LifecycleHandler, LifecycleHandler__Output as _shoal_v1_LifecycleHandler__Output } from '../../shoal/v1/LifecycleHandler.js';

export interface Lifecycle {
  'postStart'?: (_shoal_v1_LifecycleHandler | null);
  'preStop'?: (_shoal_v1_LifecycleHandler | null);
}

export interface Lifecycle__Output {
  'postStart'?: (_shoal_v1_LifecycleHandler__Output);
  'preStop'?: (_shoal_v1_LifecycleHandler__Output);
}
