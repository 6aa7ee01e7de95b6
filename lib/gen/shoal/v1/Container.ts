// Original file: proto/shoal/v1/core.proto

import type { ContainerPort as _shoal_v1_ContainerPort, ContainerPort__Output as _shoal_v1_ContainerPort__Output } from '../../shoal/v1/ContainerPort.js';
import type { EnvFromSource as _shoal_v1_EnvFromSource, EnvFromSource__Output as _shoal_v1_EnvFromSource__Output } from '../../shoal/v1/EnvFromSource.js';
import type { EnvVar as _shoal_v1_EnvVar, EnvVar__Output as _shoal_v1_EnvVar__Output } from '../../shoal/v1/EnvVar.js';
import type { ResourceRequirements as _shoal_v1_ResourceRequirements, ResourceRequirements__Output as _shoal_v1_ResourceRequirements__Output } from '../../shoal/v1/ResourceRequirements.js';
import type { VolumeMount as _shoal_v1_VolumeMount, VolumeMount__Output as _shoal_v1_VolumeMount__Output } from '../../shoal/v1/VolumeMount.js';
import type { Probe as _shoal_v1_Probe, Probe__Output as _shoal_v1_Probe__Output } from '../../shoal/v1/Probe.js';
import type { Lifecycle as _shoal_v1_Lifecycle, Lifecycle__Output as _shoal_v1_Lifecycle__Output } from '../../shoal/v1/Lifecycle.js';

export interface Container {
  'name'?: (string);
  'image'?: (string);
  'command'?: (string)[];
  'args'?: (string)[];
  'workingDir'?: (string);
  'ports'?: (_shoal_v1_ContainerPort)[];
  'envFrom'?: (_shoal_v1_EnvFromSource)[];
  'env'?: (_shoal_v1_EnvVar)[];
  'resources'?: (_shoal_v1_ResourceRequirements | null);
  'volumeMounts'?: (_shoal_v1_VolumeMount)[];
  'livenessProbe'?: (_shoal_v1_Probe | null);
  'readinessProbe'?: (_shoal_v1_Probe | null);
  'startupProbe'?: (_shoal_v1_Probe | null);
  'lifecycle'?: (_shoal_v1_Lifecycle | null);
  'terminationMessagePath'?: (string);
  'terminationMessagePolicy'?: (string);
  /**
   * Always, Never or IfNotPresent.
   */
  'imagePullPolicy'?: (string);
  'stdin'?: (boolean);
  'stdinOnce'?: (boolean);
  'tty'?: (boolean);
  '_name'?: "name";
  '_image'?: "image";
  '_workingDir'?: "workingDir";
  '_terminationMessagePath'?: "terminationMessagePath";
  '_terminationMessagePolicy'?: "terminationMessagePolicy";
  '_imagePullPolicy'?: "imagePullPolicy";
  '_stdin'?: "stdin";
  '_stdinOnce'?: "stdinOnce";
  '_tty'?: "tty";
}

export interface Container__Output {
  'name'?: (string);
  'image'?: (string);
  'command'?: (string)[];
  'args'?: (string)[];
  'workingDir'?: (string);
  'ports'?: (_shoal_v1_ContainerPort__Output)[];
  'envFrom'?: (_shoal_v1_EnvFromSource__Output)[];
  'env'?: (_shoal_v1_EnvVar__Output)[];
  'resources'?: (_shoal_v1_ResourceRequirements__Output);
  'volumeMounts'?: (_shoal_v1_VolumeMount__Output)[];
  'livenessProbe'?: (_shoal_v1_Probe__Output);
  'readinessProbe'?: (_shoal_v1_Probe__Output);
  'startupProbe'?: (_shoal_v1_Probe__Output);
  'lifecycle'?: (_shoal_v1_Lifecycle__Output);
  'terminationMessagePath'?: (string);
  'terminationMessagePolicy'?: (string);
  /**
   * Always, Never or IfNotPresent.
   */
  'imagePullPolicy'?: (string);
  'stdin'?: (boolean);
  'stdinOnce'?: (boolean);
  'tty'?: (boolean);
}
