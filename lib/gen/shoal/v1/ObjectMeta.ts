// Original file: proto/shoal/v1/meta.proto

import type { OwnerReference as _shoal_v1_OwnerReference, OwnerReference__Output as _shoal_v1_OwnerReference__Output } from '../../shoal/v1/OwnerReference.js';
import type { Long } from '@grpc/proto-loader';

export interface ObjectMeta {
  'name'?: (string);
  'generateName'?: (string);
  'namespace'?: (string);
  'uid'?: (string);
  /**
   * The store's global revision at the object's last write, as a decimal string.
   */
  'resourceVersion'?: (string);
  'generation'?: (number | string | Long);
  /**
   * RFC 3339 timestamps, as Kubernetes writes them.
   */
  'creationTimestamp'?: (string);
  'deletionTimestamp'?: (string);
  'deletionGracePeriodSeconds'?: (number | string | Long);
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
  'ownerReferences'?: (_shoal_v1_OwnerReference)[];
  'finalizers'?: (string)[];
  '_name'?: "name";
  '_generateName'?: "generateName";
  '_namespace'?: "namespace";
  '_uid'?: "uid";
  '_resourceVersion'?: "resourceVersion";
  '_generation'?: "generation";
  '_creationTimestamp'?: "creationTimestamp";
  '_deletionTimestamp'?: "deletionTimestamp";
  '_deletionGracePeriodSeconds'?: "deletionGracePeriodSeconds";
}

export interface ObjectMeta__Output {
  'name'?: (string);
  'generateName'?: (string);
  'namespace'?: (string);
  'uid'?: (string);
  /**
   * The store's global revision at the object's last write, as a decimal string.
   */
  'resourceVersion'?: (string);
  'generation'?: (number);
  /**
   * RFC 3339 timestamps, as Kubernetes writes them.
   */
  'creationTimestamp'?: (string);
  'deletionTimestamp'?: (string);
  'deletionGracePeriodSeconds'?: (number);
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
  'ownerReferences'?: (_shoal_v1_OwnerReference__Output)[];
  'finalizers'?: (string)[];
}
