// Service ClusterIP and NodePort allocation, as kube-apiserver's service REST storage does it:
// in memory, rebuilt from the stored Services at start (the Services are the record of what
// is allocated, so there is nothing else to persist), reserved synchronously before the store
// write so that concurrent creates never get the same IP or port, and released when a write
// fails or the Service is removed.
//
// Some addresses of the CIDR are reserved: never handed out, and refused when a Service asks
// for them. The cluster DNS address (`--cluster-dns`, e.g. 10.96.0.10) is one: Kubernetes
// gives it to the kube-dns Service, but here the proxy serves DNS on it itself (UDP and TCP
// port 53), so a Service holding it would collide with that listener. Refusing an explicit
// request too (rather than only skipping the address when picking one) keeps that collision
// impossible; a Service that held the address before it was reserved keeps it, with a warning
// at start.
import { InvalidError, type FieldViolation } from '../../lib/errors.js';
import type { ServicePort__Output } from '../../lib/gen/shoal/v1/ServicePort.js';
import type { ServiceSpec__Output } from '../../lib/gen/shoal/v1/ServiceSpec.js';
import type { KubeObject } from '../../lib/kinds.js';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

const ALREADY_ALLOCATED_IP = 'provided IP is already allocated';
const ALREADY_ALLOCATED_PORT = 'provided port is already allocated';

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** A bitmap-free allocator over a contiguous range of integers: a set of the taken ones and a
 * rotating cursor for the next free one (Kubernetes picks at random; sequential with a
 * collision check gives the same uniqueness and predictable tests). */
class RangeAllocator {
  private readonly taken = new Set<number>();
  private cursor: number;

  constructor(
    readonly first: number,
    readonly last: number,
  ) {
    this.cursor = first;
  }

  get size(): number {
    return this.last - this.first + 1;
  }

  get used(): number {
    return this.taken.size;
  }

  contains(n: number): boolean {
    return n >= this.first && n <= this.last;
  }

  has(n: number): boolean {
    return this.taken.has(n);
  }

  /** Takes `n`; false when taken already. The caller has checked the range. */
  take(n: number): boolean {
    if (this.taken.has(n)) return false;
    this.taken.add(n);
    return true;
  }

  /** The next free number, taken; undefined when the range is full. */
  next(): number | undefined {
    if (this.taken.size >= this.size) return undefined;
    for (let i = 0; i < this.size; i++) {
      const n = this.cursor;
      this.cursor = n >= this.last ? this.first : n + 1;
      if (!this.taken.has(n)) {
        this.taken.add(n);
        return n;
      }
    }
    return undefined;
  }

  release(n: number): void {
    this.taken.delete(n);
  }
}

/** ClusterIPs from an IPv4 CIDR. The network and broadcast addresses are never handed out,
 * nor the first host address (Kubernetes keeps it for the `kubernetes` Service), nor the
 * `reserved` ones (address → what it is kept for, e.g. "the cluster DNS"). */
export class ClusterIPAllocator {
  private readonly range: RangeAllocator;
  /** Reserved addresses inside the range (marked taken for good) → what they are kept for. */
  private readonly reserved = new Map<number, string>();

  constructor(
    readonly cidr: string,
    reserved: ReadonlyMap<string, string> = new Map(),
  ) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr);
    const base = m ? ipToNumber(m[1]!) : undefined;
    const bits = m ? Number(m[2]) : NaN;
    if (base === undefined || !(bits >= 8 && bits <= 30)) {
      throw new Error(`invalid service CIDR ${JSON.stringify(cidr)}: want an IPv4 CIDR with a prefix of 8 to 30 bits`);
    }
    const size = 2 ** (32 - bits);
    const network = base - (base % size);
    // network, network+1 (reserved), ..., broadcast: hand out network+2 .. broadcast-1.
    this.range = new RangeAllocator(network + 2, network + size - 2);
    for (const [ip, purpose] of reserved) {
      const n = ipToNumber(ip);
      if (n === undefined) throw new Error(`invalid reserved cluster IP ${JSON.stringify(ip)} (${purpose}): want an IPv4 address`);
      // Outside the range nothing could hand it out anyway.
      if (!this.range.contains(n)) continue;
      this.reserved.set(n, purpose);
      this.range.take(n);
    }
  }

  /** What a reserved address is kept for, or undefined when `ip` is not reserved. */
  reservedFor(ip: string): string | undefined {
    const n = ipToNumber(ip);
    return n === undefined ? undefined : this.reserved.get(n);
  }

  /** Whether `ip` may be handed out by this allocator (in the CIDR, not a reserved address). */
  inRange(ip: string): boolean {
    const n = ipToNumber(ip);
    return n !== undefined && this.range.contains(n);
  }

  isAllocated(ip: string): boolean {
    const n = ipToNumber(ip);
    return n !== undefined && this.range.has(n);
  }

  /** Takes a requested IP; the reason when it cannot. */
  allocate(ip: string): string | undefined {
    const n = ipToNumber(ip);
    if (n === undefined || !this.range.contains(n)) return `provided IP is not in the valid range. The range of valid IPs is ${this.cidr}`;
    const purpose = this.reserved.get(n);
    if (purpose !== undefined) return `provided IP is reserved for ${purpose}`;
    return this.range.take(n) ? undefined : ALREADY_ALLOCATED_IP;
  }

  /** Takes the next free IP; undefined when the range is full. */
  allocateNext(): string | undefined {
    const n = this.range.next();
    return n === undefined ? undefined : numberToIp(n);
  }

  release(ip: string): void {
    const n = ipToNumber(ip);
    if (n !== undefined && this.range.contains(n) && !this.reserved.has(n)) this.range.release(n);
  }

  /** Addresses held by Services (reserved ones not counted). */
  get used(): number {
    return this.range.used - this.reserved.size;
  }
}

/** NodePorts from a "first-last" range. */
export class NodePortAllocator {
  private readonly range: RangeAllocator;

  constructor(readonly spec: string) {
    const m = /^(\d+)-(\d+)$/.exec(spec.trim());
    const first = m ? Number(m[1]) : NaN;
    const last = m ? Number(m[2]) : NaN;
    if (!(first >= 1 && last <= 65535 && first <= last)) {
      throw new Error(`invalid node port range ${JSON.stringify(spec)}: want "first-last" within 1-65535`);
    }
    this.range = new RangeAllocator(first, last);
  }

  inRange(port: number): boolean {
    return this.range.contains(port);
  }

  isAllocated(port: number): boolean {
    return this.range.has(port);
  }

  /** Takes a requested port; the reason when it cannot. */
  allocate(port: number): string | undefined {
    if (!this.range.contains(port)) return `provided port is not in the valid range. The range of valid ports is ${this.spec}`;
    return this.range.take(port) ? undefined : ALREADY_ALLOCATED_PORT;
  }

  allocateNext(): number | undefined {
    return this.range.next();
  }

  release(port: number): void {
    if (this.range.contains(port)) this.range.release(port);
  }

  get used(): number {
    return this.range.used;
  }
}

type ServiceObject = KubeObject & { spec?: ServiceSpec__Output };

function specOf(svc: KubeObject): ServiceSpec__Output {
  return ((svc as ServiceObject).spec ??= {});
}

function typeOf(spec: ServiceSpec__Output): string {
  return spec.type || 'ClusterIP';
}

/** Whether the Service gets a cluster IP (not ExternalName, not headless). */
function wantsClusterIP(spec: ServiceSpec__Output): boolean {
  return typeOf(spec) !== 'ExternalName' && spec.clusterIP !== 'None';
}

/** Whether the Service's ports get node ports allocated when left unset. */
function wantsNodePorts(spec: ServiceSpec__Output): boolean {
  const type = typeOf(spec);
  return type === 'NodePort' || (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

/** Whether node ports may be set at all (a LoadBalancer without allocation may still ask). */
function allowsNodePorts(spec: ServiceSpec__Output): boolean {
  const type = typeOf(spec);
  return type === 'NodePort' || type === 'LoadBalancer';
}

/** The allocated (non-"None") cluster IP of a spec, if any. */
function clusterIPOf(spec: ServiceSpec__Output): string | undefined {
  const ip = spec.clusterIP || spec.clusterIPs?.[0];
  return ip && ip !== 'None' ? ip : undefined;
}

function nodePortsOf(spec: ServiceSpec__Output): Set<number> {
  return new Set((spec.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n > 0));
}

/** The old port a new one continues: same (port, protocol), else the same name. */
function matchingPort(oldPorts: ServicePort__Output[], port: ServicePort__Output): ServicePort__Output | undefined {
  const protocol = port.protocol || 'TCP';
  return (
    oldPorts.find((o) => o.port === port.port && (o.protocol || 'TCP') === protocol) ??
    (port.name ? oldPorts.find((o) => o.name === port.name) : undefined)
  );
}

/** What one create or update reserved: release it if the write fails. */
export interface Reservation {
  /** The write failed (or was a dry run): give back what was taken for it. */
  rollback(): void;
  /** The write succeeded: give back what the old object held and the new one does not. */
  commit(): void;
}

/** The ClusterIP and NodePort allocators of one API server, and the Service rules on them. */
export class ServiceAllocations {
  readonly ips: ClusterIPAllocator;
  readonly ports: NodePortAllocator;

  constructor(opts: { serviceCIDR?: string; nodePortRange?: string; clusterDNS?: string } = {}) {
    // The cluster DNS address is the proxies' DNS listener: see the note at the top.
    const reserved = new Map(opts.clusterDNS ? [[opts.clusterDNS, 'the cluster DNS (--cluster-dns)']] : []);
    this.ips = new ClusterIPAllocator(opts.serviceCIDR ?? DEFAULT_SERVICE_CIDR, reserved);
    this.ports = new NodePortAllocator(opts.nodePortRange ?? DEFAULT_NODE_PORT_RANGE);
  }

  /**
   * Marks what the stored Services hold (at server start). Values out of the current ranges
   * (the range was changed) are left to their Services, unmanaged; duplicates are returned as
   * warnings for the log.
   */
  rebuild(services: KubeObject[]): string[] {
    const warnings: string[] = [];
    for (const svc of services) {
      const spec = specOf(svc);
      const name = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
      const ip = typeOf(spec) === 'ExternalName' ? undefined : clusterIPOf(spec);
      const reservedFor = ip ? this.ips.reservedFor(ip) : undefined;
      if (reservedFor) {
        // Given out before it was reserved: the Service keeps it (its clients know it), but it
        // collides with what the address is reserved for.
        warnings.push(`service ${name}: cluster IP ${ip} is reserved for ${reservedFor}; recreate the Service to give it another address`);
      } else if (ip && this.ips.inRange(ip) && this.ips.allocate(ip)) {
        warnings.push(`service ${name}: cluster IP ${ip} is held twice`);
      }
      for (const port of nodePortsOf(spec)) {
        if (this.ports.inRange(port) && this.ports.allocate(port)) warnings.push(`service ${name}: node port ${port} is held twice`);
      }
    }
    return warnings;
  }

  /**
   * Before an update or apply is admitted: keeps the allocated clusterIP(s) and node ports
   * that `next` leaves unset (an apply replaces the ports list whole, and a manifest rarely
   * names them), and drops the ones a type change makes meaningless (NodePort → ClusterIP
   * drops the node ports, → ExternalName the cluster IP) when they are the old values, as
   * Kubernetes' dropTypeDependentFields does. Mutates `next`.
   */
  carryOver(next: KubeObject, old: KubeObject): void {
    const spec = specOf(next);
    const oldSpec = specOf(old);
    const type = typeOf(spec);
    const oldType = typeOf(oldSpec);
    if (type !== 'ExternalName' && oldType !== 'ExternalName') {
      if (!spec.clusterIP && !spec.clusterIPs?.length && oldSpec.clusterIP) {
        spec.clusterIP = oldSpec.clusterIP;
        if (oldSpec.clusterIPs?.length) spec.clusterIPs = [...oldSpec.clusterIPs];
      } else if (spec.clusterIP && !spec.clusterIPs?.length && spec.clusterIP === oldSpec.clusterIP && oldSpec.clusterIPs?.length) {
        spec.clusterIPs = [...oldSpec.clusterIPs];
      }
    } else if (type === 'ExternalName' && oldType !== 'ExternalName') {
      if (spec.clusterIP === oldSpec.clusterIP) delete spec.clusterIP;
      if (spec.clusterIPs?.length && spec.clusterIPs[0] === oldSpec.clusterIPs?.[0]) delete spec.clusterIPs;
    }
    const oldPorts = oldSpec.ports ?? [];
    if (allowsNodePorts(spec) && allowsNodePorts(oldSpec)) {
      const used = nodePortsOf(spec);
      for (const port of spec.ports ?? []) {
        if (port.nodePort) continue;
        const prev = matchingPort(oldPorts, port)?.nodePort;
        if (prev && !used.has(prev)) {
          port.nodePort = prev;
          used.add(prev);
        }
      }
    } else if (!allowsNodePorts(spec) && allowsNodePorts(oldSpec)) {
      for (const port of spec.ports ?? []) {
        if (port.nodePort && port.nodePort === matchingPort(oldPorts, port)?.nodePort) delete port.nodePort;
      }
    }
  }

  /**
   * Reserves what `next` (already defaulted and validated) needs beyond what `old` holds, and
   * fills in the allocated values. Throws InvalidError when a requested value is out of range
   * or taken; nothing stays reserved then. Synchronous, so two concurrent writes never get
   * the same value.
   */
  reserve(next: KubeObject, old?: KubeObject): Reservation {
    const spec = specOf(next);
    const oldSpec = old ? specOf(old) : undefined;
    const oldIP = oldSpec && typeOf(oldSpec) !== 'ExternalName' ? clusterIPOf(oldSpec) : undefined;
    const oldPorts = oldSpec ? nodePortsOf(oldSpec) : new Set<number>();
    const takenIPs: string[] = [];
    const takenPorts: number[] = [];
    const rollback = (): void => {
      takenIPs.forEach((ip) => this.ips.release(ip));
      takenPorts.forEach((p) => this.ports.release(p));
    };
    const violations: FieldViolation[] = [];
    const ipViolation = (field: string, ip: string, reason: string): void => {
      violations.push({ field, message: `Invalid value: ${JSON.stringify(ip)}: ${reason}` });
    };

    // Cluster IP.
    let newIP: string | undefined;
    const type = typeOf(spec);
    if (type === 'ExternalName') {
      // No cluster IP.
    } else if (spec.clusterIP === 'None' || (!spec.clusterIP && spec.clusterIPs?.[0] === 'None')) {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
    } else {
      const requested = spec.clusterIP || spec.clusterIPs?.[0];
      if (requested) {
        if (requested !== oldIP) {
          const reason = this.ips.allocate(requested);
          if (reason) ipViolation('spec.clusterIP', requested, reason);
          else takenIPs.push(requested);
        }
        newIP = requested;
      } else {
        newIP = this.ips.allocateNext();
        if (newIP === undefined) violations.push({ field: 'spec.clusterIP', message: `Internal error: no cluster IP left in ${this.ips.cidr}` });
        else takenIPs.push(newIP);
      }
      if (newIP !== undefined) {
        spec.clusterIP = newIP;
        spec.clusterIPs = [newIP];
      }
    }

    // Node ports: requested ones first, so an automatic pick never takes one asked for later
    // in the list.
    const ports = spec.ports ?? [];
    if (allowsNodePorts(spec)) {
      const seen = new Set<number>();
      ports.forEach((port, i) => {
        const n = port.nodePort ?? 0;
        if (!n || seen.has(n)) return;
        seen.add(n);
        if (oldPorts.has(n)) return;
        const reason = this.ports.allocate(n);
        if (reason) violations.push({ field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${n}: ${reason}` });
        else takenPorts.push(n);
      });
      if (wantsNodePorts(spec)) {
        for (const port of ports) {
          if (port.nodePort) continue;
          const n = this.ports.allocateNext();
          if (n === undefined) {
            violations.push({ field: 'spec.ports', message: `Internal error: no node port left in ${this.ports.spec}` });
            break;
          }
          takenPorts.push(n);
          port.nodePort = n;
        }
      }
    }

    if (violations.length) {
      rollback();
      throw new InvalidError(violations, `Service "${next.metadata?.name ?? ''}" is invalid`);
    }
    const keptPorts = nodePortsOf(spec);
    return {
      rollback,
      commit: () => {
        if (oldIP && oldIP !== (wantsClusterIP(spec) ? clusterIPOf(spec) : undefined)) this.ips.release(oldIP);
        for (const p of oldPorts) if (!keptPorts.has(p)) this.ports.release(p);
      },
    };
  }

  /** The Service is gone from the store: its values are free again. */
  release(svc: KubeObject): void {
    const spec = specOf(svc);
    const ip = typeOf(spec) === 'ExternalName' ? undefined : clusterIPOf(spec);
    if (ip) this.ips.release(ip);
    for (const p of nodePortsOf(spec)) this.ports.release(p);
  }
}
