// What one Service asks of this proxy, computed from the cached Service and Endpoints alone
// (pure functions, so the rules are unit-tested without sockets): the service ports with their
// endpoints, and the addresses to listen on.
import type { EndpointSubset__Output } from '../../lib/gen/shoal/v1/EndpointSubset.js';
import type { Endpoints__Output } from '../../lib/gen/shoal/v1/Endpoints.js';
import type { Service__Output } from '../../lib/gen/shoal/v1/Service.js';
import type { ServicePort__Output } from '../../lib/gen/shoal/v1/ServicePort.js';
import type { Endpoint } from './balancer.js';

/** Kubernetes' default ClientIP affinity timeout (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

export type ListenerKind = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

export interface PortPlan {
  /** "namespace/name:portName" (the port number when the port has no name). */
  id: string;
  /** "namespace/name". */
  service: string;
  /** The port's name, or its number when unnamed (a metrics label). */
  portLabel: string;
  port: number;
  nodePort?: number;
  /** ClientIP affinity timeout in ms; absent: no affinity. */
  affinityTimeoutMs?: number;
  /** externalTrafficPolicy Local: NodePort and LoadBalancer traffic goes only to endpoints on
   * this node. */
  externalLocal: boolean;
  endpoints: Endpoint[];
}

export interface ListenerPlan {
  address: string;
  port: number;
  /** The PortPlan id it forwards to. */
  portId: string;
  kind: ListenerKind;
}

export interface ServicePlan {
  ports: PortPlan[];
  listeners: ListenerPlan[];
  /** Ports skipped, with the reason (UDP, SCTP). */
  skipped: string[];
}

export function serviceKey(svc: { metadata?: { namespace?: string; name?: string } }): string {
  return `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
}

function portLabel(p: ServicePort__Output): string {
  return p.name || String(p.port ?? 0);
}

/** True when the Service has a virtual IP to listen on (not headless, not ExternalName). */
export function hasClusterIP(svc: Service__Output): boolean {
  const ip = svc.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None' && svc.spec?.type !== 'ExternalName';
}

/**
 * The endpoints of one service port: every ready address of every subset that carries a port
 * with the service port's name (the unnamed port of a one-port Service matches the subset's
 * only port). notReadyAddresses never get traffic.
 */
export function endpointsFor(port: ServicePort__Output, subsets: EndpointSubset__Output[], allPorts: number): Endpoint[] {
  const name = port.name ?? '';
  const out: Endpoint[] = [];
  const seen = new Set<string>();
  for (const subset of subsets) {
    const ports = (subset.ports ?? []).filter((p) => (p.protocol || 'TCP') === 'TCP');
    let match = ports.find((p) => (p.name ?? '') === name);
    if (!match && allPorts === 1 && ports.length === 1) match = ports[0];
    if (!match?.port) continue;
    for (const a of subset.addresses ?? []) {
      if (!a.ip) continue;
      const key = `${a.ip}:${match.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ip: a.ip, port: match.port, key, ...(a.nodeName ? { nodeName: a.nodeName } : {}) });
    }
  }
  return out;
}

export interface PlanOptions {
  /** Where NodePorts listen. */
  nodeAddresses: string[];
  /** The LoadBalancer addresses this Service got (see chooseLoadBalancerAddresses). */
  loadBalancerAddresses: string[];
}

/** The ports and listeners of one Service. A Service being deleted gets none. */
export function planService(svc: Service__Output, eps: Endpoints__Output | undefined, opts: PlanOptions): ServicePlan {
  const plan: ServicePlan = { ports: [], listeners: [], skipped: [] };
  const spec = svc.spec ?? {};
  if (svc.metadata?.deletionTimestamp || spec.type === 'ExternalName') return plan;
  const key = serviceKey(svc);
  const type = spec.type || 'ClusterIP';
  const external = type === 'NodePort' || type === 'LoadBalancer';
  const affinityTimeoutMs =
    spec.sessionAffinity === 'ClientIP'
      ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds || DEFAULT_AFFINITY_TIMEOUT_SECONDS) * 1000
      : undefined;
  const servicePorts = spec.ports ?? [];
  const subsets = eps?.subsets ?? [];
  for (const p of servicePorts) {
    const protocol = p.protocol || 'TCP';
    if (protocol !== 'TCP') {
      plan.skipped.push(`${portLabel(p)}/${protocol}: only TCP is proxied`);
      continue;
    }
    if (!p.port) continue;
    const id = `${key}:${portLabel(p)}`;
    plan.ports.push({
      id,
      service: key,
      portLabel: portLabel(p),
      port: p.port,
      ...(p.nodePort ? { nodePort: p.nodePort } : {}),
      ...(affinityTimeoutMs !== undefined ? { affinityTimeoutMs } : {}),
      externalLocal: external && spec.externalTrafficPolicy === 'Local',
      endpoints: endpointsFor(p, subsets, servicePorts.length),
    });
    if (hasClusterIP(svc)) {
      const ips = new Set([spec.clusterIP!, ...(spec.clusterIPs ?? []).filter((ip) => ip && ip !== 'None')]);
      for (const ip of ips) plan.listeners.push({ address: ip, port: p.port, portId: id, kind: 'ClusterIP' });
    }
    if (external && p.nodePort) {
      for (const a of opts.nodeAddresses) plan.listeners.push({ address: a, port: p.nodePort, portId: id, kind: 'NodePort' });
    }
    if (type === 'LoadBalancer') {
      for (const a of opts.loadBalancerAddresses) plan.listeners.push({ address: a, port: p.port, portId: id, kind: 'LoadBalancer' });
    }
  }
  // One socket per address:port: a NodePort on a pool address that equals a node address
  // with the same port number would otherwise be listened on twice.
  const seen = new Set<string>();
  plan.listeners = plan.listeners.filter((l) => {
    const k = `${l.address}:${l.port}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return plan;
}

export interface PoolOptions {
  /** The addresses this proxy hands out. */
  pool: string[];
  /** The pool is the node's own addresses (the default, as k3s ServiceLB): a Service gets all
   * of them rather than one. */
  poolIsNodeAddresses: boolean;
}

/**
 * The LoadBalancer addresses of `svc`: those already in its status that belong to our pool
 * (so every proxy agrees on what the first writer chose, and a restart changes nothing); else
 * spec.loadBalancerIP when it is in the pool; else every node address (default pool), or the
 * first pool address where none of the Service's ports is taken by another LoadBalancer
 * Service. [] when the pool is exhausted (the Service stays pending).
 */
export function chooseLoadBalancerAddresses(svc: Service__Output, others: Service__Output[], opts: PoolOptions): string[] {
  const pool = opts.pool;
  const current = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => pool.includes(ip));
  if (current.length > 0) return [...new Set(current)];
  const requested = svc.spec?.loadBalancerIP;
  if (requested && pool.includes(requested)) return [requested];
  if (opts.poolIsNodeAddresses) return [...pool];
  const ports = new Set((svc.spec?.ports ?? []).map((p) => p.port ?? 0));
  const taken = new Map<string, Set<number>>();
  const me = serviceKey(svc);
  for (const o of others) {
    if (serviceKey(o) === me || o.spec?.type !== 'LoadBalancer') continue;
    for (const ing of o.status?.loadBalancer?.ingress ?? []) {
      if (!ing.ip) continue;
      let set = taken.get(ing.ip);
      if (!set) taken.set(ing.ip, (set = new Set()));
      for (const p of o.spec?.ports ?? []) set.add(p.port ?? 0);
    }
  }
  for (const ip of pool) {
    const used = taken.get(ip);
    if (!used || ![...ports].some((p) => used.has(p))) return [ip];
  }
  return [];
}
