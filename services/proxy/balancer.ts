// Choosing an endpoint for a new connection: round-robin or least-connections over the
// endpoints that are not ejected, ClientIP session affinity, and passive health (an endpoint
// that refuses or times out a connect is ejected for a back-off that doubles while it keeps
// failing). Everything here runs on the event loop, synchronously: no locks, no awaits.

/** One backend address of a service port: an Endpoints address × the matching port. */
export interface Endpoint {
  ip: string;
  port: number;
  /** The node the pod runs on (EndpointAddress.nodeName), for externalTrafficPolicy Local. */
  nodeName?: string;
  /** "ip:port": the identity used by health, affinity and connection counts. */
  key: string;
}

export type Balance = 'round-robin' | 'least-connections';

export interface HealthOptions {
  /** The first ejection lasts this long (default 1000 ms)... */
  initialEjectMs?: number;
  /** ...doubling on every failure in a row, up to this (default 30,000 ms). */
  maxEjectMs?: number;
  now?: () => number;
}

/**
 * Passive health and connection counts, shared by every service port of one proxy: an
 * endpoint that refused a connection for one service is as dead for another that uses it.
 */
export class EndpointHealth {
  private readonly ejected = new Map<string, { until: number; backoffMs: number }>();
  private readonly active = new Map<string, number>();
  private readonly initialMs: number;
  private readonly maxMs: number;
  readonly now: () => number;

  constructor(opts: HealthOptions = {}) {
    this.initialMs = opts.initialEjectMs ?? 1000;
    this.maxMs = opts.maxEjectMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  /** A connect to `key` failed: eject it (again, for twice as long). Returns the back-off. */
  fail(key: string): number {
    const prev = this.ejected.get(key);
    const backoffMs = prev ? Math.min(this.maxMs, prev.backoffMs * 2) : this.initialMs;
    this.ejected.set(key, { until: this.now() + backoffMs, backoffMs });
    return backoffMs;
  }

  /** A connect to `key` succeeded: it is healthy, and its next failure starts the back-off over. */
  ok(key: string): void {
    this.ejected.delete(key);
  }

  /** Ejected now (its back-off has not run out). After it runs out the endpoint is tried again;
   * its back-off is remembered until a connect succeeds. */
  isEjected(key: string): boolean {
    const e = this.ejected.get(key);
    return e !== undefined && e.until > this.now();
  }

  /** When the ejection of `key` ends (0 when not ejected). */
  ejectedUntil(key: string): number {
    return this.ejected.get(key)?.until ?? 0;
  }

  activeConnections(key: string): number {
    return this.active.get(key) ?? 0;
  }

  /** A connection to `key` opened; call the returned function once when it closes. */
  track(key: string): () => void {
    this.active.set(key, (this.active.get(key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.active.get(key) ?? 1) - 1;
      if (n <= 0) this.active.delete(key);
      else this.active.set(key, n);
    };
  }

  /** Forgets endpoints no service uses any more (their counts are kept while connections run). */
  prune(inUse: Set<string>): void {
    for (const key of this.ejected.keys()) if (!inUse.has(key)) this.ejected.delete(key);
  }
}

export interface BalancerOptions {
  balance: Balance;
  /** ClientIP session affinity: how long a client stays pinned after its last connection
   * (ms); absent: no affinity. */
  affinityTimeoutMs?: number;
}

/**
 * The endpoint picker of one service port. setEndpoints() replaces the set (removed
 * endpoints just stop being picked: their open connections are not touched, so they drain).
 */
export class Balancer {
  private endpoints: Endpoint[] = [];
  private next = 0;
  private readonly affinity = new Map<string, { key: string; expires: number }>();
  private opts: BalancerOptions;

  constructor(
    private readonly health: EndpointHealth,
    opts: BalancerOptions,
  ) {
    this.opts = opts;
  }

  setOptions(opts: BalancerOptions): void {
    if (opts.affinityTimeoutMs === undefined) this.affinity.clear();
    this.opts = opts;
  }

  setEndpoints(endpoints: Endpoint[]): void {
    this.endpoints = endpoints;
    const keys = new Set(endpoints.map((e) => e.key));
    for (const [client, pin] of this.affinity) if (!keys.has(pin.key)) this.affinity.delete(client);
  }

  get size(): number {
    return this.endpoints.length;
  }

  list(): readonly Endpoint[] {
    return this.endpoints;
  }

  /**
   * The endpoint for a new connection from `clientIP`, skipping those in `exclude` (already
   * tried for this connection) and, while any other is left, those ejected. `filter` narrows
   * the candidates (externalTrafficPolicy Local). Undefined: nothing left to try.
   */
  pick(clientIP: string, exclude: ReadonlySet<string> = new Set(), filter?: (e: Endpoint) => boolean): Endpoint | undefined {
    const now = this.health.now();
    const eligible = this.endpoints.filter((e) => !exclude.has(e.key) && (!filter || filter(e)));
    if (eligible.length === 0) return undefined;
    let candidates = eligible.filter((e) => !this.health.isEjected(e.key));
    // Every endpoint is ejected: try the one whose ejection ends first rather than fail.
    if (candidates.length === 0) {
      candidates = [eligible.reduce((a, b) => (this.health.ejectedUntil(b.key) < this.health.ejectedUntil(a.key) ? b : a))];
    }

    const timeout = this.opts.affinityTimeoutMs;
    if (timeout !== undefined) {
      const pin = this.affinity.get(clientIP);
      if (pin && pin.expires > now) {
        const pinned = candidates.find((e) => e.key === pin.key);
        if (pinned) {
          pin.expires = now + timeout;
          return pinned;
        }
      }
    }

    const chosen = this.opts.balance === 'least-connections' ? this.leastConnections(candidates) : this.roundRobin(candidates);
    if (timeout !== undefined) {
      this.affinity.set(clientIP, { key: chosen.key, expires: now + timeout });
      if (this.affinity.size > 4096) this.expireAffinity(now);
    }
    return chosen;
  }

  private roundRobin(candidates: Endpoint[]): Endpoint {
    // The counter walks the full list so that skipping an ejected endpoint does not hand its
    // turn to the same neighbour every time.
    for (let i = 0; i < this.endpoints.length; i++) {
      const e = this.endpoints[(this.next + i) % this.endpoints.length]!;
      if (candidates.includes(e)) {
        this.next = (this.next + i + 1) % this.endpoints.length;
        return e;
      }
    }
    return candidates[0]!;
  }

  private leastConnections(candidates: Endpoint[]): Endpoint {
    let best: Endpoint[] = [];
    let min = Infinity;
    for (const e of candidates) {
      const n = this.health.activeConnections(e.key);
      if (n < min) {
        min = n;
        best = [e];
      } else if (n === min) {
        best.push(e);
      }
    }
    // Ties go round-robin, so idle endpoints share short connections evenly.
    return this.roundRobin(best);
  }

  private expireAffinity(now: number): void {
    for (const [client, pin] of this.affinity) if (pin.expires <= now) this.affinity.delete(client);
  }
}
