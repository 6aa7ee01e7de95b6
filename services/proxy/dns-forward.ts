// Forwarding of names outside the cluster domain to the node's resolvers, as CoreDNS's
// `forward . /etc/resolv.conf` does in Kubernetes: a ClusterFirst pod has only the cluster DNS,
// so without this it would resolve nothing outside the cluster.
//
// The forwarder is a relay, not a resolver and not a cache: each client query goes out as it
// came (its question, flags and EDNS record) under a fresh random id from a fresh socket (so
// an off-path answer has to guess both the id and the port), and the first reply that matches
// (id, response bit, the same question) goes back to the client under the client's id. A
// client that asked over UDP is relayed over UDP (a truncated reply is relayed truncated, and
// the client asks again over TCP, RFC 7766); a client that asked over TCP is relayed over TCP.
//
// Bounded: at most `maxInFlight` queries are forwarded at once (beyond that the client gets
// SERVFAIL at once), each within `timeoutMs` in all (upstreams tried in order, the time left
// shared among those not tried yet), one socket per attempt, closed when it ends; nothing is
// kept per query after it ends. No upstream answering is SERVFAIL.
import { randomInt } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { connect, isIP, type Socket } from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

export function formatUpstream(u: Upstream): string {
  return isIP(u.host) === 6 ? `[${u.host}]:${u.port}` : `${u.host}:${u.port}`;
}

/** Parses `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 address (port 53 by default). Throws an
 * Error naming the value when it is none of these. */
export function parseUpstream(spec: string): Upstream {
  const s = spec.trim();
  let host = s;
  let port = '53';
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2] ?? '53';
  } else if (isIP(s) === 0) {
    const m = /^([^:]+):(\d+)$/.exec(s);
    if (m) {
      host = m[1]!;
      port = m[2]!;
    }
  }
  const n = Number(port);
  if (isIP(host) === 0 || !/^\d{1,5}$/.test(port) || n < 1 || n > 65535) {
    throw new Error(`invalid DNS upstream ${JSON.stringify(spec)}: want IP or IP:PORT (e.g. 192.168.1.1 or 127.0.0.1:5353)`);
  }
  return { host, port: n };
}

/** The `nameserver` addresses of a resolv.conf, in order (IPv6 zone ids dropped). */
export function parseResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const addr = m[1]!.replace(/%.*$/, '');
    if (isIP(addr) !== 0) out.push(addr);
  }
  return out;
}

/** systemd-resolved's local stubs: the real servers are in its own resolv.conf. */
const RESOLVED_STUBS = new Set(['127.0.0.53', '127.0.0.54']);
const RESOLVED_UPSTREAMS = '/run/systemd/resolve/resolv.conf';

export interface NodeUpstreams {
  upstreams: Upstream[];
  /** The file they came from. */
  source: string;
  /** Nameservers left out, with why (for the log). */
  skipped: string[];
}

/**
 * The node's resolvers, read once at start from /etc/resolv.conf, port 53, minus those that
 * would bring a query back here: `exclude` (the cluster DNS address itself: a host whose
 * resolv.conf names it would loop every query through us) and the unspecified addresses.
 * When the file names only systemd-resolved's loopback stub, the servers behind it are read
 * from systemd's own file instead, as the kubelet does for CoreDNS: the stub is a cache that
 * may itself be pointed at the cluster DNS. Other loopback resolvers (a dnsmasq on 127.0.0.1,
 * Docker's 127.0.0.11 when the proxy runs in a container) are what the node resolves through
 * and are kept.
 */
export async function nodeUpstreams(opts: { exclude: string[]; path?: string; read?: (path: string) => Promise<string> }): Promise<NodeUpstreams> {
  const read = opts.read ?? ((p: string) => readFile(p, 'utf8'));
  let source = opts.path ?? '/etc/resolv.conf';
  let servers: string[];
  try {
    servers = parseResolvConf(await read(source));
  } catch {
    servers = [];
  }
  if (!opts.path && servers.length > 0 && servers.every((s) => RESOLVED_STUBS.has(s))) {
    try {
      const behind = parseResolvConf(await read(RESOLVED_UPSTREAMS)).filter((s) => !RESOLVED_STUBS.has(s));
      if (behind.length > 0) {
        servers = behind;
        source = RESOLVED_UPSTREAMS;
      }
    } catch {
      // No systemd-resolved files: keep the stub, which answers on this host.
    }
  }
  const exclude = new Set(opts.exclude);
  const skipped: string[] = [];
  const upstreams: Upstream[] = [];
  for (const s of new Set(servers)) {
    if (exclude.has(s)) skipped.push(`${s} (the cluster DNS itself)`);
    else if (s === '0.0.0.0' || s === '::') skipped.push(`${s} (unspecified)`);
    else upstreams.push({ host: s, port: 53 });
  }
  return { upstreams, source, skipped };
}

const HEADER = 12;
/** A TCP reply frame is at most this long (the 2-byte length's limit). */
const MAX_TCP_REPLY = 65535;

/**
 * Whether `reply` answers the query we sent with id `id` and question `question` (its bytes
 * after the header): a response, the same id, and the same question (names compared without
 * case: a server may answer in another case, never with another name). A reply without a
 * question is accepted only as an error (some servers send FORMERR or NOTIMP so). Never throws.
 */
export function matchesQuery(reply: Buffer, id: number, question: Buffer): boolean {
  if (reply.length < HEADER) return false;
  if (reply.readUInt16BE(0) !== id) return false;
  const flags = reply.readUInt16BE(2);
  if (!(flags & 0x8000)) return false;
  const qd = reply.readUInt16BE(4);
  if (qd === 0) return (flags & 0xf) !== 0;
  if (qd !== 1 || reply.length < HEADER + question.length) return false;
  return reply.toString('latin1', HEADER, HEADER + question.length).toLowerCase() === question.toString('latin1').toLowerCase();
}

/** The reply cut to its header and question with TC set: what a UDP client gets when the
 * whole reply is bigger than it accepts (it asks again over TCP). */
export function truncated(reply: Buffer, questionLength: number): Buffer {
  const out = Buffer.from(reply.subarray(0, Math.min(reply.length, HEADER + questionLength)));
  out.writeUInt16BE(out.readUInt16BE(2) | 0x0200, 2);
  out.writeUInt16BE(0, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  return out;
}

export interface ForwarderLogger {
  warn(message: string): void;
}

export interface ForwarderOptions {
  /** Tried in order; the first to answer wins. Empty: every query fails (SERVFAIL). */
  upstreams: Upstream[];
  /** The whole forward of one query, every upstream tried included (default 2000 ms). */
  timeoutMs?: number;
  /** Queries forwarded at once at most; more fail at once (default 256). */
  maxInFlight?: number;
  logger?: ForwarderLogger;
}

/** Why a query got no reply (for the log and tests). */
export type ForwardFailure = 'busy' | 'timeout' | 'error' | 'closed';

export type ForwardResult = { ok: true; reply: Buffer } | { ok: false; failure: ForwardFailure };

/** A warning at most this often; the ones in between are counted in the next. */
const WARN_EVERY_MS = 10_000;

/**
 * Relays queries to upstream resolvers; one per DNS server. forward() may be called
 * concurrently from the socket handlers; it never throws and always settles within timeoutMs
 * (at once when busy or closed). close() ends every forward in progress.
 */
export class DnsForwarder {
  readonly upstreams: readonly Upstream[];
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  /** Cancels the attempt of each forward in progress: at most maxInFlight entries. */
  private readonly running = new Set<() => void>();
  private closed = false;
  private lastWarn = 0;
  private suppressed = 0;

  constructor(private readonly opts: ForwarderOptions) {
    this.upstreams = [...opts.upstreams];
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.maxInFlight = opts.maxInFlight ?? 256;
  }

  /** Forwards in progress now. */
  get inFlight(): number {
    return this.running.size;
  }

  /**
   * Sends `msg` (a client's whole query; its id is replaced) to the upstreams over
   * `transport`, and returns the first matching reply with the id set back to `msg`'s.
   * `question` is the question as the client sent it (name, type, class), to match replies.
   */
  async forward(msg: Buffer, question: Buffer, transport: 'udp' | 'tcp'): Promise<ForwardResult> {
    if (this.closed) return { ok: false, failure: 'closed' };
    if (this.running.size >= this.maxInFlight) {
      this.warn(`dns: ${this.running.size} queries are being forwarded already; answering SERVFAIL`);
      return { ok: false, failure: 'busy' };
    }
    if (msg.length < HEADER || this.upstreams.length === 0) return { ok: false, failure: 'error' };
    const clientId = msg.readUInt16BE(0);
    const deadline = Date.now() + this.timeoutMs;
    let cancel: () => void = () => undefined;
    const slot = (): void => cancel();
    this.running.add(slot);
    let failure: ForwardFailure = 'timeout';
    try {
      for (let i = 0; i < this.upstreams.length; i++) {
        const left = deadline - Date.now();
        if (left <= 0 || this.closed) break;
        const upstream = this.upstreams[i]!;
        // The time left, shared among the upstreams not tried yet: a dead first server
        // leaves the others time to answer.
        const budget = Math.max(1, Math.floor(left / (this.upstreams.length - i)));
        const id = randomInt(0x10000);
        const out = Buffer.from(msg);
        out.writeUInt16BE(id, 0);
        const attempt = transport === 'udp' ? this.viaUdp(upstream, out, id, question, budget) : this.viaTcp(upstream, out, id, question, budget);
        cancel = attempt.cancel;
        const result = await attempt.done;
        if (result.ok) {
          const reply = Buffer.from(result.reply);
          reply.writeUInt16BE(clientId, 0);
          return { ok: true, reply };
        }
        failure = result.failure;
        if (result.failure !== 'timeout' || i + 1 < this.upstreams.length) {
          this.warn(`dns: upstream ${formatUpstream(upstream)} (${transport}): ${result.detail}`);
        }
      }
      if (this.closed) return { ok: false, failure: 'closed' };
      this.warn(`dns: no upstream answered within ${this.timeoutMs} ms (${this.upstreams.map(formatUpstream).join(', ')}); answering SERVFAIL`);
      return { ok: false, failure };
    } finally {
      this.running.delete(slot);
    }
  }

  /** Ends every forward in progress (they fail with 'closed') and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const cancel of [...this.running]) cancel();
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarn < WARN_EVERY_MS) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed > 0 ? ` (and ${this.suppressed} more warnings)` : '';
    this.lastWarn = now;
    this.suppressed = 0;
    this.opts.logger?.warn(message + more);
  }

  private viaUdp(upstream: Upstream, out: Buffer, id: number, question: Buffer, budgetMs: number): Attempt {
    let sock: UdpSocket | undefined;
    const closeSocket = (): void => {
      try {
        sock?.close();
      } catch {
        // Already closed.
      }
    };
    return attempt(budgetMs, closeSocket, (finish) => {
      sock = createSocket(isIP(upstream.host) === 6 ? 'udp6' : 'udp4');
      const s = sock;
      s.on('error', (err) => finish({ ok: false, failure: 'error', detail: err.message }));
      s.on('message', (reply: Buffer, rinfo) => {
        // Only the upstream's answer to this query; anything else (late, spoofed, broken)
        // is ignored and the wait goes on.
        if (rinfo.port !== upstream.port || !sameAddress(rinfo.address, upstream.host)) return;
        if (matchesQuery(reply, id, question)) finish({ ok: true, reply });
      });
      // Connected, so an ICMP "port unreachable" ends the attempt at once (ECONNREFUSED).
      s.connect(upstream.port, upstream.host, () => {
        s.send(out, (err) => {
          if (err) finish({ ok: false, failure: 'error', detail: err.message });
        });
      });
    });
  }

  private viaTcp(upstream: Upstream, out: Buffer, id: number, question: Buffer, budgetMs: number): Attempt {
    let sock: Socket | undefined;
    return attempt(budgetMs, () => sock?.destroy(), (finish) => {
      const s = connect({ host: upstream.host, port: upstream.port, noDelay: true });
      sock = s;
      s.on('error', (err) => finish({ ok: false, failure: 'error', detail: err.message }));
      s.on('close', () => finish({ ok: false, failure: 'error', detail: 'connection closed before an answer' }));
      const frame = Buffer.alloc(2 + out.length);
      frame.writeUInt16BE(out.length, 0);
      out.copy(frame, 2);
      s.write(frame);
      let buf: Buffer = Buffer.alloc(0);
      s.on('data', (chunk: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        if (buf.length > 2 + MAX_TCP_REPLY) {
          finish({ ok: false, failure: 'error', detail: 'reply too long' });
          return;
        }
        if (buf.length < 2) return;
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) return;
        const reply = buf.subarray(2, 2 + len);
        // One query per connection: the first whole frame is the answer or a failure.
        finish(matchesQuery(reply, id, question) ? { ok: true, reply } : { ok: false, failure: 'error', detail: 'reply does not match the query' });
      });
    });
  }
}

/** One forwarding attempt over either transport: `start` sends the query and calls `finish`
 * with the outcome; the first outcome wins, the budget's timeout is one, cancel() another,
 * and `close` releases the socket whichever it was. */
function attempt(budgetMs: number, close: () => void, start: (finish: (r: AttemptResult) => void) => void): Attempt {
  let finish: (r: AttemptResult) => void = () => undefined;
  const done = new Promise<AttemptResult>((resolve) => {
    let settled = false;
    finish = (r) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, failure: 'timeout', detail: `no answer in ${budgetMs} ms` }), budgetMs);
    try {
      start(finish);
    } catch (err) {
      finish({ ok: false, failure: 'error', detail: err instanceof Error ? err.message : String(err) });
    }
  });
  return { done, cancel: () => finish({ ok: false, failure: 'closed', detail: 'closed' }) };
}

type AttemptResult = { ok: true; reply: Buffer } | { ok: false; failure: ForwardFailure; detail: string };

interface Attempt {
  done: Promise<AttemptResult>;
  cancel: () => void;
}

/** Node reports an IPv4 peer of a udp6 socket as ::ffff:a.b.c.d; compare without that. */
function sameAddress(a: string, b: string): boolean {
  const strip = (s: string): string => s.replace(/^::ffff:/i, '').toLowerCase();
  return strip(a) === strip(b);
}
