// A pod's resolver settings from its dnsPolicy (services/node-agent/dns.ts), as the kubelet.
import { describe, expect, it } from 'vitest';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import { normalizeClusterDomain } from '../lib/cluster-domain.js';
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

describe('normalizeClusterDomain (the one reading of --cluster-domain, for the proxy and the agent)', () => {
  it('trims, lower-cases and drops outer dots; empty or absent is cluster.local', () => {
    expect(normalizeClusterDomain(' Cluster.Local. ')).toBe('cluster.local');
    expect(normalizeClusterDomain('.Example.Internal')).toBe('example.internal');
    expect(normalizeClusterDomain(undefined)).toBe('cluster.local');
    expect(normalizeClusterDomain('  ')).toBe('cluster.local');
    // What the agent writes into a pod's search path is what the proxy answers for.
    expect(podDNS(pod(), { server: '10.0.0.10', domain: normalizeClusterDomain('Example.Internal.') })?.searches).toEqual([
      'team-a.svc.example.internal',
      'svc.example.internal',
      'example.internal',
    ]);
  });

  it('refuses what is not a DNS name', () => {
    for (const bad of ['a..b', 'under_score.local', 'spa ce.local', '-lead.local', 'x'.repeat(64) + '.local', 'a/b']) {
      expect(() => normalizeClusterDomain(bad), bad).toThrow(/invalid cluster domain/);
    }
  });
});
