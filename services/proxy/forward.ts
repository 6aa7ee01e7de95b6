// One client connection: pick an endpoint, connect (moving on to another endpoint when a
// connect fails, so a dead endpoint costs the client nothing), then pipe both ways with
// backpressure and half-close, and account for it (metrics, access log).
import { connect, type Socket } from 'node:net';
import type { Balancer, Endpoint, EndpointHealth } from './balancer.js';
import { ForwardedForInjector, plainIP, proxyProtocolV1 } from './client-address.js';
import type { ProxyMetrics } from './metrics.js';
import type { ListenerKind } from './plan.js';

export type AccessResult = 'ok' | 'no-endpoints' | 'connect-failed' | 'client-closed' | 'error';

/** One line of the JSON-lines access log. */
export interface AccessRecord {
  ts: string;
  service: string;
  port: string;
  kind: ListenerKind;
  /** The address:port the client connected to. */
  listener: string;
  client: string;
  endpoint: string | null;
  /** Connects tried (more than 1 when an endpoint failed and another was tried). */
  attempts: number;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  result: AccessResult;
}

export interface ForwardOptions {
  /** Endpoints tried per connection before giving up (default 3). */
  maxAttempts: number;
  /** A connect that takes longer counts as failed (default 3000 ms). */
  connectTimeoutMs: number;
  proxyProtocol: boolean;
  xForwardedFor: boolean;
}

export interface ForwardTarget {
  service: string;
  portLabel: string;
  kind: ListenerKind;
  balancer: Balancer;
  /** Narrows the endpoints (externalTrafficPolicy Local on NodePort/LoadBalancer). */
  filter?: (e: Endpoint) => boolean;
}

export interface ForwardDeps {
  health: EndpointHealth;
  metrics: ProxyMetrics;
  options: ForwardOptions;
  /** Called once per connection when it ends, for LoadBalancer listeners when access logging
   * is on. */
  accessLog?: (rec: AccessRecord) => void;
  /** Every open client socket, so stop() can end them. */
  open: Set<Socket>;
}

/** Connects to `ep`, resolving with the socket once connected; rejects on error or timeout. */
function connectTo(ep: Endpoint, timeoutMs: number, abort: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: ep.ip, port: ep.port, allowHalfOpen: true, noDelay: true });
    const timer = setTimeout(() => fail(new Error(`connect to ${ep.key} timed out after ${timeoutMs} ms`)), timeoutMs);
    const onAbort = (): void => fail(new Error('client went away'));
    abort.addEventListener('abort', onAbort, { once: true });
    function cleanup(): void {
      clearTimeout(timer);
      abort.removeEventListener('abort', onAbort);
      s.removeListener('error', fail);
      s.removeListener('connect', ok);
    }
    function fail(err: Error): void {
      cleanup();
      s.destroy();
      reject(err);
    }
    function ok(): void {
      cleanup();
      resolve(s);
    }
    s.once('error', fail);
    s.once('connect', ok);
  });
}

/**
 * Serves one accepted client socket (created paused, so nothing is read before an endpoint is
 * connected). Never throws; every outcome is accounted for.
 */
export async function forward(client: Socket, target: ForwardTarget, deps: ForwardDeps): Promise<void> {
  const { health, metrics, options } = deps;
  const started = process.hrtime.bigint();
  const clientIP = plainIP(client.remoteAddress);
  const clientAddr = `${clientIP}:${client.remotePort ?? 0}`;
  const listener = `${plainIP(client.localAddress)}:${client.localPort ?? 0}`;
  const service = target.service;
  deps.open.add(client);
  metrics.connections.inc({ service, port: target.portLabel });
  metrics.active.inc({ service });

  // A client that leaves while we connect aborts the connect.
  const clientGone = new AbortController();
  const onEarlyClose = (): void => clientGone.abort();
  client.once('close', onEarlyClose);
  client.on('error', () => {}); // reported through 'close'; without a listener it would throw

  let endpoint: Endpoint | undefined;
  let upstream: Socket | undefined;
  let attempts = 0;
  let result: AccessResult = 'ok';
  const tried = new Set<string>();
  while (attempts < options.maxAttempts && !clientGone.signal.aborted) {
    const ep = target.balancer.pick(clientIP, tried, target.filter);
    if (!ep) break;
    tried.add(ep.key);
    attempts++;
    const t0 = process.hrtime.bigint();
    try {
      upstream = await connectTo(ep, options.connectTimeoutMs, clientGone.signal);
      metrics.connectSeconds.observe({ service }, Number(process.hrtime.bigint() - t0) / 1e9);
      health.ok(ep.key);
      endpoint = ep;
      break;
    } catch {
      if (clientGone.signal.aborted) break;
      health.fail(ep.key);
      metrics.endpointErrors.inc({ service });
    }
  }
  client.removeListener('close', onEarlyClose);

  const finish = (bytesIn: number, bytesOut: number): void => {
    deps.open.delete(client);
    metrics.active.dec({ service });
    metrics.bytes.inc({ service, direction: 'in' }, bytesIn);
    metrics.bytes.inc({ service, direction: 'out' }, bytesOut);
    deps.accessLog?.({
      ts: new Date().toISOString(),
      service,
      port: target.portLabel,
      kind: target.kind,
      listener,
      client: clientAddr,
      endpoint: endpoint?.key ?? null,
      attempts,
      bytesIn,
      bytesOut,
      durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
      result,
    });
  };

  if (!upstream || !endpoint) {
    // Refuse as kube-proxy's REJECT does: the client sees a reset at once, not a hang.
    result = clientGone.signal.aborted ? 'client-closed' : attempts === 0 ? 'no-endpoints' : 'connect-failed';
    upstream?.destroy();
    client.resetAndDestroy();
    finish(0, 0);
    return;
  }

  const up = upstream;
  const untrack = health.track(endpoint.key);
  if (options.proxyProtocol) {
    up.write(proxyProtocolV1(client.remoteAddress ?? '', client.remotePort ?? 0, client.localAddress ?? '', client.localPort ?? 0));
  }
  // A side that closed after both its directions ended cleanly leaves the other to close by
  // itself once its writes are flushed (destroying it here could drop the tail of a
  // response). A side that errored or was destroyed takes the other down with it.
  let closed = 0;
  const onClose = (self: Socket, other: Socket) => (hadError: boolean): void => {
    if (hadError) result = 'error';
    if (hadError || !(self.readableEnded && self.writableFinished)) other.destroy();
    if (++closed < 2) return;
    untrack();
    finish(client.bytesRead, client.bytesWritten);
  };
  up.on('error', () => {});
  up.once('close', onClose(up, client));
  client.once('close', onClose(client, up));

  if (options.xForwardedFor) {
    const injector = new ForwardedForInjector(clientIP);
    injector.on('error', () => up.destroy());
    client.pipe(injector).pipe(up);
  } else {
    client.pipe(up);
  }
  up.pipe(client);
  client.resume();
}
