// A pod's resolver settings, as the kubelet computes them from spec.dnsPolicy: with a cluster
// DNS configured, ClusterFirst pods (the default) ask it, with the search path that makes
// `NAME` (same namespace) and `NAME.NAMESPACE` resolve, and ndots:5 so that such short names
// try the search path first. Drivers that cannot apply them (process) ignore them.
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import type { SandboxDNS } from './driver.js';

export interface ClusterDNS {
  /** The cluster DNS server's IPv4 address (the proxy's clusterDNS). */
  server: string;
  /** The cluster domain, e.g. cluster.local. */
  domain: string;
}

/** The resolver settings for `pod`, or undefined to leave the runtime's default (the
 * node's own resolver): no cluster DNS, dnsPolicy Default (or None: Shoal has no dnsConfig),
 * or a hostNetwork pod with ClusterFirst (as in Kubernetes, only ClusterFirstWithHostNet
 * gives such a pod the cluster DNS). */
export function podDNS(pod: Pod__Output, cluster: ClusterDNS | undefined): SandboxDNS | undefined {
  if (!cluster) return undefined;
  const policy = pod.spec?.dnsPolicy || 'ClusterFirst';
  const hostNetwork = pod.spec?.hostNetwork ?? false;
  if (policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !hostNetwork)) {
    const ns = pod.metadata?.namespace || 'default';
    return {
      nameservers: [cluster.server],
      searches: [`${ns}.svc.${cluster.domain}`, `svc.${cluster.domain}`, cluster.domain],
      options: ['ndots:5'],
    };
  }
  return undefined;
}
