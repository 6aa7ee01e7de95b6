// `shoal proxy`: makes Services reachable on this node (kube-proxy plus a service load
// balancer, in user space). The public entry of this folder: startProxy(config) returns a
// handle with `ready` and `stop()`, so `shoal up`, `shoal proxy` and the tests start the same
// code.
//
// For every TCP port of every Service it listens on the ClusterIP (not for headless Services),
// on each node address at the NodePort (NodePort and LoadBalancer types) and, for LoadBalancer
// Services, on the addresses picked from the pool (written to status.loadBalancer.ingress).
// Each accepted connection is forwarded to a ready endpoint (forward.ts, balancer.ts). With
// clusterDNS set, it also answers DNS for the cluster domain from the same caches (dns.ts).
//
// State flows one way: the Service and Endpoints informers enqueue "namespace/name"; a single
// worker reconciles one Service at a time (plan.ts computes what it wants; reconcile opens and
// closes listeners and swaps the endpoint sets in place). One worker means listener changes
// never race; connections are served on the event loop independently of it. A closed listener
// or a removed endpoint never touches connections already open: they drain. The same worker
// serves the DNS address and, once the caches are synced, sweeps the ClusterIP interface of
// what Services deleted while no proxy ran left on it (addresses.ts).
import { connectToCluster } from '../../lib/cluster.js';
import { normalizeClusterDomain } from '../../lib/cluster-domain.js';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer, isIPv4, type Server, type Socket } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { Registry } from 'prom-client';
import { NotFoundError } from '../../lib/errors.js';
import type { Endpoints__Output } from '../../lib/gen/shoal/v1/Endpoints.js';
import type { Service__Output } from '../../lib/gen/shoal/v1/Service.js';
import { Informer } from '../../lib/informer.js';
import type { KubeObject } from '../../lib/kinds.js';
import { newMetricsRegistry, serveMetrics, type MetricsServer } from '../../lib/metrics.js';
import { runWorkers, WorkQueue, type ReconcileResult } from '../../lib/workqueue.js';
import { ClusterIPBinder, DUMMY_INTERFACE } from './addresses.js';
import { startDnsServer, type DnsServer, type ServiceRecords } from './dns.js';
import { formatUpstream, nodeUpstreams, parseUpstream, type Upstream } from './dns-forward.js';
import { Balancer, EndpointHealth, type Balance, type Endpoint } from './balancer.js';
import { forward, type AccessRecord, type ForwardDeps } from './forward.js';
import { registerProxyMetrics } from './metrics.js';
import { chooseLoadBalancerAddresses, planService, serviceKey, type ListenerKind, type PortPlan } from './plan.js';

export { Balancer, EndpointHealth, type Balance, type Endpoint } from './balancer.js';
export { ForwardedForInjector, proxyProtocolV1 } from './client-address.js';
export type { AccessRecord, AccessResult } from './forward.js';
export { chooseLoadBalancerAddresses, endpointsFor, planService, type ListenerPlan, type PortPlan, type ServicePlan } from './plan.js';
export { DUMMY_INTERFACE } from './addresses.js';

export interface ProxyLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface ProxyConfig {
  /** "host:port" of the API server. */
  server: string;
  token?: string;
  /** The NATS server the API server pumps its change events into. */
  natsUrl: string;
  /** This node's name: endpoints with this nodeName are "local" for externalTrafficPolicy
   * Local (default: the host name). */
  nodeName?: string;
  /** Where NodePorts listen (e.g. ['192.168.1.10'], tests ['127.0.0.1']). '0.0.0.0' listens on
   * every address; it is then replaced by the host's IPv4 addresses in the default pool. */
  nodeAddresses: string[];
  /** Addresses handed to LoadBalancer Services, one per Service (the first where its ports are
   * free). Default: the node addresses, all of them to every Service, as k3s ServiceLB. */
  loadBalancerPool?: string[];
  /** When a ClusterIP is not a local address, add it to the dummy interface
   * clusterIPInterface (needs root; default true). 127/8 is always local. */
  bindClusterIPs?: boolean;
  /** The interface ClusterIPs (and the DNS address) go on, owned by this proxy alone: two
   * proxies on one host need two names (default shoal-svc; at most 15 characters). */
  clusterIPInterface?: string;
  /** Default 'round-robin'. */
  balance?: Balance;
  /** JSON-lines access log of LoadBalancer connections: a file path (appended), or '-' for
   * stdout. */
  accessLog?: string;
  /** Send a PROXY protocol v1 line to the endpoint before the client's bytes. */
  proxyProtocol?: boolean;
  /** Add X-Forwarded-For to the first HTTP/1.x request of each connection. */
  xForwardedFor?: boolean;
  /** Endpoints tried per connection before the client is reset (default 3). */
  maxAttempts?: number;
  /** A connect taking longer fails over to another endpoint (default 3000 ms). */
  connectTimeoutMs?: number;
  /** A failed endpoint is ejected for this long (default 1000 ms), doubling while it keeps
   * failing up to ejectMaxMs (default 30,000 ms). */
  ejectInitialMs?: number;
  ejectMaxMs?: number;
  /** Serve the cluster DNS (dns.ts) on this IPv4 address, port 53 UDP and TCP; pods get it
   * from their node agent's clusterDNS (the same value). An address outside 127/8 goes on
   * the dummy interface as ClusterIPs do. Absent: no DNS. */
  clusterDNS?: string;
  /** Default 'cluster.local'; normalised by normalizeClusterDomain (lib/cluster-domain.ts). */
  clusterDomain?: string;
  /** Default 53 (tests pick another). */
  dnsPort?: number;
  /** Where the cluster DNS forwards names outside the cluster domain ("IP" or "IP:PORT", tried
   * in order). Absent: the node's resolvers, read from /etc/resolv.conf at start (minus the
   * cluster DNS itself; see dns-forward.ts). Empty: no forwarding, such names are REFUSED. */
  dnsUpstream?: string[];
  /** One forwarded query, every upstream tried, takes at most this long before SERVFAIL
   * (default 2000 ms). */
  dnsForwardTimeoutMs?: number;
  /** Queries forwarded at once at most; beyond, SERVFAIL at once (default 256). */
  dnsMaxForwards?: number;
  /** Prometheus /metrics listen address ("host:port", port 0 picks one); absent: none. */
  metricsListen?: string;
  logger?: ProxyLogger;
  /** Stops the proxy when aborted (as stop() does). */
  signal?: AbortSignal;
}

export interface ListenerInfo {
  address: string;
  port: number;
  kind: ListenerKind;
  /** "namespace/name". */
  service: string;
  /** The service port's name (or number). */
  servicePort: string;
}

export interface ProxyHandle {
  /** Resolves once the caches are filled and every Service present then has its listeners. */
  ready: Promise<void>;
  /** "host:port" of /metrics, when metricsListen was given. */
  metricsAddress?: string;
  /** The proxy's metrics registry. */
  registry: Registry;
  /** The sockets listening now. */
  listeners(): ListenerInfo[];
  /** "ip:port" where the cluster DNS answers (UDP and TCP), once it does. */
  dnsAddress(): string | undefined;
  /** Whether the cluster DNS is served, and why not. */
  dnsStatus(): DnsStatus;
  /** The endpoints the proxy balances a service port over ("namespace/name:port"). */
  endpoints(portId: string): readonly Endpoint[];
  /** Stops listening, resets open connections, closes connections. Idempotent. */
  stop(): Promise<void>;
}

/** The cluster DNS of a proxy: `disabled` (no clusterDNS), `serving`, `pending` (the last
 * attempt failed and is retried: `reason`), or `unservable` (the address cannot be put on
 * this host, e.g. without root; retrying will not help: `reason`). */
export interface DnsStatus {
  state: 'disabled' | 'serving' | 'pending' | 'unservable';
  address?: string;
  reason?: string;
  /** Where names outside the cluster domain go ([] : nowhere, they are REFUSED). */
  upstreams?: string[];
}

interface Listener {
  server: Server;
  address: string;
  port: number;
  owner: string;
  portId: string;
  kind: ListenerKind;
}

interface PortRuntime {
  plan: PortPlan;
  balancer: Balancer;
}

/** Retry a listener that could not open (address in use, not yet local) after this long. */
const LISTEN_RETRY_MS = 2000;
/** The work-queue keys of the cluster DNS server and of the interface sweep (no Service key
 * starts with '/'). */
const DNS_KEY = '/dns';
const SWEEP_KEY = '/sweep';

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The host's IPv4 addresses (non-internal first), standing in for a wildcard node address. */
function hostIPv4(): string[] {
  const all = Object.values(networkInterfaces()).flatMap((l) => l ?? []).filter((a) => a.family === 'IPv4');
  const external = all.filter((a) => !a.internal).map((a) => a.address);
  return external.length > 0 ? external : all.map((a) => a.address);
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

export async function startProxy(config: ProxyConfig): Promise<ProxyHandle> {
  const logger = config.logger ?? { info: (m: string) => console.log(m), warn: (m: string) => console.warn(m) };
  if (config.nodeAddresses.length === 0) throw new Error('proxy: nodeAddresses is empty');
  if (config.clusterDNS !== undefined && !isIPv4(config.clusterDNS)) throw new Error(`proxy: clusterDNS ${config.clusterDNS} is not an IPv4 address`);
  const clusterDomain = normalizeClusterDomain(config.clusterDomain);
  const dnsPort = config.dnsPort ?? 53;
  let upstreams: Upstream[] = [];
  if (config.clusterDNS !== undefined) {
    if (config.dnsUpstream !== undefined) {
      upstreams = config.dnsUpstream.map(parseUpstream);
      const loop = upstreams.find((u) => u.host === config.clusterDNS && u.port === dnsPort);
      if (loop) throw new Error(`proxy: DNS upstream ${formatUpstream(loop)} is the cluster DNS itself`);
    } else {
      const node = await nodeUpstreams({ exclude: [config.clusterDNS] });
      upstreams = node.upstreams;
      for (const s of node.skipped) logger.warn(`proxy: not forwarding DNS to ${s}, named in ${node.source}`);
      if (upstreams.length === 0) logger.warn(`proxy: no DNS upstream in ${node.source}: names outside ${clusterDomain} will be REFUSED`);
    }
  }
  const nodeName = config.nodeName ?? hostname();
  const nodeAddresses = [...new Set(config.nodeAddresses)];
  const poolIsNodeAddresses = !config.loadBalancerPool?.length;
  const pool = poolIsNodeAddresses
    ? [...new Set(nodeAddresses.flatMap((a) => (a === '0.0.0.0' ? hostIPv4() : [a])))]
    : [...new Set(config.loadBalancerPool)];

  const abort = new AbortController();
  if (config.signal) {
    if (config.signal.aborted) abort.abort();
    else config.signal.addEventListener('abort', () => void stop(), { once: true });
  }
  const conn = await connectToCluster({ server: config.server, token: config.token, natsUrl: config.natsUrl });
  const { client, nc } = conn;

  const registry = newMetricsRegistry('proxy');
  const metrics = registerProxyMetrics(registry);
  let metricsServer: MetricsServer | undefined;
  if (config.metricsListen) {
    try {
      metricsServer = await serveMetrics(registry, config.metricsListen);
    } catch (err) {
      await conn.close();
      throw err;
    }
  }

  let accessStream: WriteStream | undefined;
  let accessLog: ((rec: AccessRecord) => void) | undefined;
  if (config.accessLog === '-') {
    accessLog = (rec) => void process.stdout.write(`${JSON.stringify(rec)}\n`);
  } else if (config.accessLog) {
    const stream = createWriteStream(config.accessLog, { flags: 'a' });
    stream.on('error', (err) => logger.warn(`proxy: access log ${config.accessLog}: ${err.message}`));
    accessStream = stream;
    accessLog = (rec) => void stream.write(`${JSON.stringify(rec)}\n`);
  }

  const health = new EndpointHealth({ initialEjectMs: config.ejectInitialMs, maxEjectMs: config.ejectMaxMs });
  const balance: Balance = config.balance ?? 'round-robin';
  const binder = new ClusterIPBinder({ enabled: config.bindClusterIPs ?? true, interfaceName: config.clusterIPInterface ?? DUMMY_INTERFACE, logger });
  const ports = new Map<string, PortRuntime>();
  const listeners = new Map<string, Listener>();
  const open = new Set<Socket>();
  const deps: ForwardDeps = {
    health,
    metrics,
    open,
    options: {
      maxAttempts: config.maxAttempts ?? 3,
      connectTimeoutMs: config.connectTimeoutMs ?? 3000,
      proxyProtocol: config.proxyProtocol ?? false,
      xForwardedFor: config.xForwardedFor ?? false,
    },
  };
  const lbDeps: ForwardDeps = accessLog ? { ...deps, accessLog } : deps;

  const onConnection = (l: Listener, socket: Socket): void => {
    const rt = ports.get(l.portId);
    if (!rt) {
      socket.resetAndDestroy();
      return;
    }
    const local = l.kind !== 'ClusterIP' && rt.plan.externalLocal;
    void forward(
      socket,
      {
        service: rt.plan.service,
        portLabel: rt.plan.portLabel,
        kind: l.kind,
        balancer: rt.balancer,
        ...(local ? { filter: (e: Endpoint) => e.nodeName === nodeName } : {}),
      },
      l.kind === 'LoadBalancer' ? lbDeps : deps,
    );
  };

  const openListener = async (l: Omit<Listener, 'server'>): Promise<void> => {
    const listener: Listener = { ...l, server: createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }) };
    listener.server.on('connection', (s: Socket) => onConnection(listener, s));
    await new Promise<void>((resolve, reject) => {
      listener.server.once('error', reject);
      listener.server.listen({ host: l.address, port: l.port, backlog: 1024 }, () => {
        listener.server.removeListener('error', reject);
        resolve();
      });
    });
    listener.server.on('error', (err) => logger.warn(`proxy: listener ${l.address}:${l.port}: ${err.message}`));
    listeners.set(`${l.address}:${l.port}`, listener);
    metrics.listeners.set(listeners.size);
  };

  const closeListener = (key: string, l: Listener): void => {
    listeners.delete(key);
    metrics.listeners.set(listeners.size);
    // Stops accepting; connections already open run on (they drain). The callback would only
    // fire once they have all ended, so it is not awaited.
    l.server.close();
  };

  const informerLogger = { info: (m: string) => logger.info(m), warn: (m: string) => logger.warn(m), error: (m: string) => logger.warn(m) };
  const services = new Informer({ kind: 'Service', nc, lister: (k) => client.list(k), logger: informerLogger });
  const endpoints = new Informer({ kind: 'Endpoints', nc, lister: (k) => client.list(k), logger: informerLogger });
  const queue = new WorkQueue<string>();

  /** A Service's A records for the DNS responder, read from the caches. */
  const dnsRecords: ServiceRecords = {
    ready: () => services.hasSynced && endpoints.hasSynced,
    addresses: (namespace, name) => {
      const svc = services.get(namespace, name) as (Service__Output & KubeObject) | undefined;
      if (!svc || svc.metadata?.deletionTimestamp) return undefined;
      const ip = svc.spec?.clusterIP ?? '';
      if (ip === 'None') {
        const eps = endpoints.get(namespace, name) as Endpoints__Output | undefined;
        return [...new Set((eps?.subsets ?? []).flatMap((ss) => (ss.addresses ?? []).map((a) => a.ip ?? '')))].filter((a) => isIPv4(a));
      }
      return isIPv4(ip) ? [ip] : [];
    },
    hasNamespace: (namespace) => services.list({ namespace }).length > 0,
  };
  let dnsServer: DnsServer | undefined;
  const upstreamNames = upstreams.map(formatUpstream);
  let dnsStatus: DnsStatus = config.clusterDNS
    ? { state: 'pending', address: config.clusterDNS, reason: 'not tried yet', upstreams: upstreamNames }
    : { state: 'disabled' };

  /** Puts the DNS address on this host (as a ClusterIP) and serves it; retried until it works. */
  const reconcileDns = async (): Promise<ReconcileResult | void> => {
    const address = config.clusterDNS;
    if (!address || dnsServer || abort.signal.aborted) return;
    const bound = await binder.ensure(address);
    if (bound.state === 'off') {
      dnsStatus = { state: 'unservable', address, reason: bound.reason ?? 'cannot be put on this host', upstreams: upstreamNames };
      return;
    }
    if (bound.state === 'failed') {
      dnsStatus = { state: 'pending', address, reason: bound.reason ?? 'cannot be put on this host', upstreams: upstreamNames };
      return { requeueAfter: LISTEN_RETRY_MS };
    }
    try {
      dnsServer = await startDnsServer({
        address,
        port: dnsPort,
        domain: clusterDomain,
        records: dnsRecords,
        logger,
        forward: { upstreams, timeoutMs: config.dnsForwardTimeoutMs, maxInFlight: config.dnsMaxForwards },
      });
      dnsStatus = { state: 'serving', address, upstreams: upstreamNames };
      const fwd = upstreamNames.length ? `other names forwarded to ${upstreamNames.join(', ')}` : 'other names REFUSED';
      logger.info(`proxy: cluster DNS for ${clusterDomain} on ${address}:${dnsServer.port} (UDP and TCP); ${fwd}`);
    } catch (err) {
      dnsStatus = { state: 'pending', address, reason: `cannot serve DNS on ${address}:${dnsPort}: ${errMessage(err)}`, upstreams: upstreamNames };
      logger.warn(`proxy: ${dnsStatus.reason}; retrying`);
      return { requeueAfter: LISTEN_RETRY_MS };
    }
  };

  /** Once the caches are synced: clears what no Service wants off this proxy's interface. */
  const sweepInterface = async (): Promise<void> => {
    const wanted = new Set<string>();
    for (const s of services.list() as Service__Output[]) {
      for (const ip of [s.spec?.clusterIP, ...(s.spec?.clusterIPs ?? [])]) if (ip) wanted.add(ip);
    }
    if (config.clusterDNS) wanted.add(config.clusterDNS);
    try {
      await binder.sweep(wanted);
    } catch (err) {
      logger.warn(`proxy: cannot sweep ${binder.interfaceName}: ${errMessage(err)}`);
    }
  };

  const reconcile = async (key: string): Promise<ReconcileResult | void> => {
    if (key === DNS_KEY) return reconcileDns();
    if (key === SWEEP_KEY) return sweepInterface();
    const svc = services.getByKey(key) as (Service__Output & KubeObject) | undefined;
    const eps = endpoints.getByKey(key) as Endpoints__Output | undefined;
    const isLB = svc?.spec?.type === 'LoadBalancer' && !svc.metadata?.deletionTimestamp;
    const lbAddresses = isLB ? chooseLoadBalancerAddresses(svc, services.list() as Service__Output[], { pool, poolIsNodeAddresses }) : [];
    if (isLB && lbAddresses.length === 0) logger.warn(`proxy: no free LoadBalancer address for ${key} in the pool ${pool.join(', ')}; pending`);
    const plan = svc ? planService(svc, eps, { nodeAddresses, loadBalancerAddresses: lbAddresses }) : { ports: [], listeners: [], skipped: [] };

    // Endpoint sets are swapped in place, so listeners and running connections keep theirs.
    const wantedPorts = new Set(plan.ports.map((p) => p.id));
    for (const [id, rt] of ports) if (rt.plan.service === key && !wantedPorts.has(id)) ports.delete(id);
    for (const p of plan.ports) {
      const opts = { balance, ...(p.affinityTimeoutMs !== undefined ? { affinityTimeoutMs: p.affinityTimeoutMs } : {}) };
      let rt = ports.get(p.id);
      if (!rt) {
        rt = { plan: p, balancer: new Balancer(health, opts) };
        ports.set(p.id, rt);
      } else {
        rt.plan = p;
        rt.balancer.setOptions(opts);
      }
      rt.balancer.setEndpoints(p.endpoints);
    }
    health.prune(new Set([...ports.values()].flatMap((rt) => rt.plan.endpoints.map((e) => e.key))));

    const wanted = new Map(plan.listeners.map((l) => [`${l.address}:${l.port}`, l]));
    const freed = new Set<string>();
    for (const [k, l] of [...listeners]) {
      if (l.owner === key && !wanted.has(k)) {
        closeListener(k, l);
        freed.add(l.address);
      }
    }
    let retry = false;
    for (const [k, want] of wanted) {
      const have = listeners.get(k);
      if (have) {
        if (have.owner === key) {
          have.portId = want.portId;
          have.kind = want.kind;
        } else {
          logger.warn(`proxy: ${k} wanted by ${key} (${want.kind}) is already served for ${have.owner}`);
          retry = true;
        }
        continue;
      }
      if (want.kind === 'ClusterIP') {
        const bound = await binder.ensure(want.address);
        if (bound.state === 'failed') retry = true;
        if (bound.state !== 'bound') continue;
      }
      try {
        await openListener({ address: want.address, port: want.port, owner: key, portId: want.portId, kind: want.kind });
      } catch (err) {
        logger.warn(`proxy: cannot listen on ${k} for ${key} (${want.kind}): ${errMessage(err)}; retrying`);
        retry = true;
      }
    }
    const inUse = new Set([...listeners.values()].map((l) => l.address));
    if (config.clusterDNS) inUse.add(config.clusterDNS);
    for (const ip of freed) if (!inUse.has(ip) && binder.has(ip)) await binder.release(ip);
    for (const skipped of plan.skipped) logger.warn(`proxy: ${key}: port ${skipped}`);

    if (svc) await writeLoadBalancerStatus(svc, isLB ? lbAddresses : []);
    return retry ? { requeueAfter: LISTEN_RETRY_MS } : undefined;
  };

  /** Writes status.loadBalancer.ingress when it differs from what this proxy chose. Every
   * proxy computes the same value (addresses already in the status are kept), so several may
   * write; a conflicting write is retried against the fresh object. An ingress of addresses
   * outside our pool belongs to someone else and is left alone. */
  const writeLoadBalancerStatus = async (svc: Service__Output & KubeObject, addresses: string[]): Promise<void> => {
    const current = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
    if (addresses.length === 0) {
      if (current.length === 0 || !current.every((ip) => pool.includes(ip))) return;
    } else if (sameSet(current, addresses)) {
      return;
    }
    const obj = structuredClone(svc);
    obj.status = { ...(obj.status ?? {}), loadBalancer: { ingress: addresses.map((ip) => ({ ip })) } };
    try {
      await client.updateStatus(obj);
    } catch (err) {
      if (err instanceof NotFoundError) return;
      throw err;
    }
  };

  const enqueue = (obj: KubeObject): void => queue.add(serviceKey(obj));
  services.addEventHandler({
    onAdd: enqueue,
    onUpdate: (_o, n) => enqueue(n),
    onDelete: (o) => {
      enqueue(o);
      // Its LoadBalancer address may be what a pending Service was waiting for.
      if ((o as Service__Output).spec?.type === 'LoadBalancer') {
        for (const s of services.list()) if ((s as Service__Output).spec?.type === 'LoadBalancer') enqueue(s);
      }
    },
  });
  endpoints.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });

  let inflight = 0;
  const workers = runWorkers(
    queue,
    1,
    async (key) => {
      inflight++;
      try {
        return await reconcile(key);
      } finally {
        inflight--;
      }
    },
    abort.signal,
    { logger: informerLogger, name: 'proxy' },
  );
  services.start(abort.signal);
  endpoints.start(abort.signal);
  if (config.clusterDNS) queue.add(DNS_KEY);

  const ready = (async () => {
    await Promise.all([services.synced, endpoints.synced]);
    queue.add(SWEEP_KEY);
    // Every Service was enqueued by the first list; wait (bounded) until they are done.
    const deadline = Date.now() + 30_000;
    while ((queue.len() > 0 || inflight > 0) && Date.now() < deadline && !abort.signal.aborted) {
      await new Promise((r) => setTimeout(r, 10));
    }
    logger.info(`proxy: ready on node ${nodeName}: ${listeners.size} listeners`);
  })();
  ready.catch(() => {});

  let stopping: Promise<void> | undefined;
  function stop(): Promise<void> {
    stopping ??= (async () => {
      abort.abort();
      queue.shutDown();
      await Promise.allSettled([services.stop(), endpoints.stop(), workers]);
      for (const [k, l] of [...listeners]) closeListener(k, l);
      for (const s of open) s.destroy();
      await dnsServer?.close();
      dnsServer = undefined;
      if (config.clusterDNS) dnsStatus = { state: 'pending', address: config.clusterDNS, reason: 'the proxy has stopped', upstreams: upstreamNames };
      await binder.close();
      await metricsServer?.close();
      const stream = accessStream;
      if (stream) await new Promise<void>((r) => stream.end(() => r()));
      await conn.close();
    })();
    return stopping;
  }

  return {
    ready,
    ...(metricsServer ? { metricsAddress: metricsServer.address } : {}),
    registry,
    listeners: () =>
      [...listeners.values()].map((l) => ({
        address: l.address,
        port: l.port,
        kind: l.kind,
        service: l.owner,
        servicePort: ports.get(l.portId)?.plan.portLabel ?? '',
      })),
    endpoints: (portId) => ports.get(portId)?.balancer.list() ?? [],
    dnsAddress: () => (dnsServer ? `${dnsServer.address}:${dnsServer.port}` : undefined),
    dnsStatus: () => ({ ...dnsStatus }),
    stop,
  };
}
