// Original file: proto/shoal/v1/core.proto

import type { ServicePort as _shoal_v1_ServicePort, ServicePort__Output as _shoal_v1_ServicePort__Output } from '../../shoal/v1/ServicePort.js';
import type { SessionAffinityConfig as _shoal_v1_SessionAffinityConfig, SessionAffinityConfig__Output as _shoal_v1_SessionAffinityConfig__Output } from '../../shoal/v1/SessionAffinityConfig.js';

export interface ServiceSpec {
  'ports'?: (_shoal_v1_ServicePort)[];
  'selector'?: ({[key: string]: string});
  /**
   * An IP from the service CIDR, or "None" for a headless Service.
   */
  'clusterIP'?: (string);
  'clusterIPs'?: (string)[];
  /**
   * ClusterIP (default), NodePort, LoadBalancer or ExternalName.
   */
  'type'?: (string);
  'externalIPs'?: (string)[];
  /**
   * None (default) or ClientIP.
   */
  'sessionAffinity'?: (string);
  'loadBalancerIP'?: (string);
  'loadBalancerSourceRanges'?: (string)[];
  'externalName'?: (string);
  /**
   * Cluster (default) or Local.
   */
  'externalTrafficPolicy'?: (string);
  'healthCheckNodePort'?: (number);
  'publishNotReadyAddresses'?: (boolean);
  'sessionAffinityConfig'?: (_shoal_v1_SessionAffinityConfig | null);
  'internalTrafficPolicy'?: (string);
  'ipFamilies'?: (string)[];
  'ipFamilyPolicy'?: (string);
  'allocateLoadBalancerNodePorts'?: (boolean);
  'loadBalancerClass'?: (string);
  '_clusterIP'?: "clusterIP";
  '_type'?: "type";
  '_sessionAffinity'?: "sessionAffinity";
  '_loadBalancerIP'?: "loadBalancerIP";
  '_externalName'?: "externalName";
  '_externalTrafficPolicy'?: "externalTrafficPolicy";
  '_healthCheckNodePort'?: "healthCheckNodePort";
  '_publishNotReadyAddresses'?: "publishNotReadyAddresses";
  '_internalTrafficPolicy'?: "internalTrafficPolicy";
  '_ipFamilyPolicy'?: "ipFamilyPolicy";
  '_allocateLoadBalancerNodePorts'?: "allocateLoadBalancerNodePorts";
  '_loadBalancerClass'?: "loadBalancerClass";
}

export interface ServiceSpec__Output {
  'ports'?: (_shoal_v1_ServicePort__Output)[];
  'selector'?: ({[key: string]: string});
  /**
   * An IP from the service CIDR, or "None" for a headless Service.
   */
  'clusterIP'?: (string);
  'clusterIPs'?: (string)[];
  /**
   * ClusterIP (default), NodePort, LoadBalancer or ExternalName.
   */
  'type'?: (string);
  'externalIPs'?: (string)[];
  /**
   * None (default) or ClientIP.
   */
  'sessionAffinity'?: (string);
  'loadBalancerIP'?: (string);
  'loadBalancerSourceRanges'?: (string)[];
  'externalName'?: (string);
  /**
   * Cluster (default) or Local.
   */
  'externalTrafficPolicy'?: (string);
  'healthCheckNodePort'?: (number);
  'publishNotReadyAddresses'?: (boolean);
  'sessionAffinityConfig'?: (_shoal_v1_SessionAffinityConfig__Output);
  'internalTrafficPolicy'?: (string);
  'ipFamilies'?: (string)[];
  'ipFamilyPolicy'?: (string);
  'allocateLoadBalancerNodePorts'?: (boolean);
  'loadBalancerClass'?: (string);
}
