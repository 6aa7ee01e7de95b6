// Original file: proto/shoal/v1/api.proto

import type { Namespace as _shoal_v1_Namespace, Namespace__Output as _shoal_v1_Namespace__Output } from '../../shoal/v1/Namespace.js';
import type { Node as _shoal_v1_Node, Node__Output as _shoal_v1_Node__Output } from '../../shoal/v1/Node.js';
import type { Pod as _shoal_v1_Pod, Pod__Output as _shoal_v1_Pod__Output } from '../../shoal/v1/Pod.js';
import type { ReplicaSet as _shoal_v1_ReplicaSet, ReplicaSet__Output as _shoal_v1_ReplicaSet__Output } from '../../shoal/v1/ReplicaSet.js';
import type { Deployment as _shoal_v1_Deployment, Deployment__Output as _shoal_v1_Deployment__Output } from '../../shoal/v1/Deployment.js';
import type { Service as _shoal_v1_Service, Service__Output as _shoal_v1_Service__Output } from '../../shoal/v1/Service.js';
import type { Endpoints as _shoal_v1_Endpoints, Endpoints__Output as _shoal_v1_Endpoints__Output } from '../../shoal/v1/Endpoints.js';
import type { Job as _shoal_v1_Job, Job__Output as _shoal_v1_Job__Output } from '../../shoal/v1/Job.js';
import type { CronJob as _shoal_v1_CronJob, CronJob__Output as _shoal_v1_CronJob__Output } from '../../shoal/v1/CronJob.js';
import type { Event as _shoal_v1_Event, Event__Output as _shoal_v1_Event__Output } from '../../shoal/v1/Event.js';
import type { Lease as _shoal_v1_Lease, Lease__Output as _shoal_v1_Lease__Output } from '../../shoal/v1/Lease.js';
import type { ConfigMap as _shoal_v1_ConfigMap, ConfigMap__Output as _shoal_v1_ConfigMap__Output } from '../../shoal/v1/ConfigMap.js';
import type { Secret as _shoal_v1_Secret, Secret__Output as _shoal_v1_Secret__Output } from '../../shoal/v1/Secret.js';
import type { PersistentVolumeClaim as _shoal_v1_PersistentVolumeClaim, PersistentVolumeClaim__Output as _shoal_v1_PersistentVolumeClaim__Output } from '../../shoal/v1/PersistentVolumeClaim.js';

/**
 * Exactly one kind of object.
 */
export interface Object {
  'namespace'?: (_shoal_v1_Namespace | null);
  'node'?: (_shoal_v1_Node | null);
  'pod'?: (_shoal_v1_Pod | null);
  'replica_set'?: (_shoal_v1_ReplicaSet | null);
  'deployment'?: (_shoal_v1_Deployment | null);
  'service'?: (_shoal_v1_Service | null);
  'endpoints'?: (_shoal_v1_Endpoints | null);
  'job'?: (_shoal_v1_Job | null);
  'cron_job'?: (_shoal_v1_CronJob | null);
  'event'?: (_shoal_v1_Event | null);
  'lease'?: (_shoal_v1_Lease | null);
  'config_map'?: (_shoal_v1_ConfigMap | null);
  'secret'?: (_shoal_v1_Secret | null);
  'persistent_volume_claim'?: (_shoal_v1_PersistentVolumeClaim | null);
  'object'?: "namespace"|"node"|"pod"|"replica_set"|"deployment"|"service"|"endpoints"|"job"|"cron_job"|"event"|"lease"|"config_map"|"secret"|"persistent_volume_claim";
}

/**
 * Exactly one kind of object.
 */
export interface Object__Output {
  'namespace'?: (_shoal_v1_Namespace__Output);
  'node'?: (_shoal_v1_Node__Output);
  'pod'?: (_shoal_v1_Pod__Output);
  'replica_set'?: (_shoal_v1_ReplicaSet__Output);
  'deployment'?: (_shoal_v1_Deployment__Output);
  'service'?: (_shoal_v1_Service__Output);
  'endpoints'?: (_shoal_v1_Endpoints__Output);
  'job'?: (_shoal_v1_Job__Output);
  'cron_job'?: (_shoal_v1_CronJob__Output);
  'event'?: (_shoal_v1_Event__Output);
  'lease'?: (_shoal_v1_Lease__Output);
  'config_map'?: (_shoal_v1_ConfigMap__Output);
  'secret'?: (_shoal_v1_Secret__Output);
  'persistent_volume_claim'?: (_shoal_v1_PersistentVolumeClaim__Output);
}
