// Original file: proto/shoal/v1/core.proto

import type { Volume as _shoal_v1_Volume, Volume__Output as _shoal_v1_Volume__Output } from '../../shoal/v1/Volume.js';
import type { Container as _shoal_v1_Container, Container__Output as _shoal_v1_Container__Output } from '../../shoal/v1/Container.js';
import type { Affinity as _shoal_v1_Affinity, Affinity__Output as _shoal_v1_Affinity__Output } from '../../shoal/v1/Affinity.js';
import type { Toleration as _shoal_v1_Toleration, Toleration__Output as _shoal_v1_Toleration__Output } from '../../shoal/v1/Toleration.js';
import type { LocalObjectReference as _shoal_v1_LocalObjectReference, LocalObjectReference__Output as _shoal_v1_LocalObjectReference__Output } from '../../shoal/v1/LocalObjectReference.js';
import type { Long } from '@grpc/proto-loader';

export interface PodSpec {
  'volumes'?: (_shoal_v1_Volume)[];
  'initContainers'?: (_shoal_v1_Container)[];
  'containers'?: (_shoal_v1_Container)[];
  /**
   * Always (default), OnFailure or Never.
   */
  'restartPolicy'?: (string);
  'terminationGracePeriodSeconds'?: (number | string | Long);
  'activeDeadlineSeconds'?: (number | string | Long);
  'dnsPolicy'?: (string);
  'nodeSelector'?: ({[key: string]: string});
  'serviceAccountName'?: (string);
  'nodeName'?: (string);
  'hostNetwork'?: (boolean);
  'hostname'?: (string);
  'subdomain'?: (string);
  'affinity'?: (_shoal_v1_Affinity | null);
  'schedulerName'?: (string);
  'tolerations'?: (_shoal_v1_Toleration)[];
  'priority'?: (number);
  'priorityClassName'?: (string);
  'imagePullSecrets'?: (_shoal_v1_LocalObjectReference)[];
  '_restartPolicy'?: "restartPolicy";
  '_terminationGracePeriodSeconds'?: "terminationGracePeriodSeconds";
  '_activeDeadlineSeconds'?: "activeDeadlineSeconds";
  '_dnsPolicy'?: "dnsPolicy";
  '_serviceAccountName'?: "serviceAccountName";
  '_nodeName'?: "nodeName";
  '_hostNetwork'?: "hostNetwork";
  '_hostname'?: "hostname";
  '_subdomain'?: "subdomain";
  '_schedulerName'?: "schedulerName";
  '_priority'?: "priority";
  '_priorityClassName'?: "priorityClassName";
}

export interface PodSpec__Output {
  'volumes'?: (_shoal_v1_Volume__Output)[];
  'initContainers'?: (_shoal_v1_Container__Output)[];
  'containers'?: (_shoal_v1_Container__Output)[];
  /**
   * Always (default), OnFailure or Never.
   */
  'restartPolicy'?: (string);
  'terminationGracePeriodSeconds'?: (number);
  'activeDeadlineSeconds'?: (number);
  'dnsPolicy'?: (string);
  'nodeSelector'?: ({[key: string]: string});
  'serviceAccountName'?: (string);
  'nodeName'?: (string);
  'hostNetwork'?: (boolean);
  'hostname'?: (string);
  'subdomain'?: (string);
  'affinity'?: (_shoal_v1_Affinity__Output);
  'schedulerName'?: (string);
  'tolerations'?: (_shoal_v1_Toleration__Output)[];
  'priority'?: (number);
  'priorityClassName'?: (string);
  'imagePullSecrets'?: (_shoal_v1_LocalObjectReference__Output)[];
}
