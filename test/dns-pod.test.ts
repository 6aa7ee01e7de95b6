// A pod's resolver settings from its dnsPolicy (services/node-agent/dns.ts), as the kubelet.
import { describe, expect, it } from 'vitest';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import { podDNS } from '../services/node-agent/dns.js';

const cluster = { server: '198.18.1.200', domain: 'cluster.local' };

function pod(dnsPolicy?: string, hostNetwork = false): Pod__Output {
  return { metadata: { name: 'p', namespace: 'team-a' }, spec: { ...(dnsPolicy ? { dnsPolicy } : {}), hostNetwork, containers: [] } };
}

const clusterFirst = {
  nameservers: ['198.18.1.200'],
  searches: ['team-a.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
  options: ['ndots:5'],
};

describe('podDNS', () => {
  it('ClusterFirst (also the default) gives the cluster DNS, the namespace search path and ndots:5', () => {
    expect(podDNS(pod('ClusterFirst'), cluster)).toEqual(clusterFirst);
    expect(podDNS(pod(), cluster)).toEqual(clusterFirst);
    expect(podDNS(pod(), { server: '10.0.0.10', domain: 'example.internal' })?.searches).toEqual(['team-a.svc.example.internal', 'svc.example.internal', 'example.internal']);
  });

  it('Default and None keep the node\'s resolver; so does a hostNetwork pod unless ClusterFirstWithHostNet', () => {
    expect(podDNS(pod('Default'), cluster)).toBeUndefined();
    expect(podDNS(pod('None'), cluster)).toBeUndefined();
    expect(podDNS(pod('ClusterFirst', true), cluster)).toBeUndefined();
    expect(podDNS(pod('ClusterFirstWithHostNet', true), cluster)).toEqual(clusterFirst);
  });

  it('without a cluster DNS every pod keeps the node\'s resolver', () => {
    expect(podDNS(pod('ClusterFirst'), undefined)).toBeUndefined();
  });
});
