// The cluster DNS responder, one per node in the proxy (Kubernetes runs CoreDNS; a node-local
// responder over the proxy's own caches needs no extra process). Authoritative for the cluster
// domain; everything else is relayed to the node's resolvers (dns-forward.ts), as CoreDNS's
// `forward` plugin does:
//
//   NAME.NAMESPACE.svc.DOMAIN   A: the Service's ClusterIP; for a headless Service
//                               (clusterIP None), the IPs of its ready endpoints
//   NAME.NAMESPACE.svc          the same (a convenience for resolvers without search domains)
//   anything else in DOMAIN     NXDOMAIN (NOERROR with no answer for a name that exists, such
//                               as NAMESPACE.svc.DOMAIN, or a Service asked for AAAA)
//   anything outside            forwarded to the upstreams (SERVFAIL when none answers);
//                               REFUSED when the server has no upstreams, and for classes
//                               other than IN
//
// Pods find `NAME` and `NAME.NAMESPACE` through the search domains the node agent gives them
// (NAMESPACE.svc.DOMAIN svc.DOMAIN DOMAIN, ndots:5), as in Kubernetes.
//
// Input comes from any pod, so parsing is defensive: every read is bounds-checked, names are
// limited to 255 bytes and 127 labels, compression pointers must point backwards and are
// followed at most 64 times, a query carries one question and at most 8 other records, UDP
// datagrams over 4096 bytes and anything that is itself a response are dropped, and handling
// never throws past the socket handlers. TCP connections are capped in number, idle time,
// queries and unread output.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { DnsForwarder, truncated, type ForwarderOptions } from './dns-forward.js';

export const TYPE_A = 1;
export const TYPE_NS = 2;
export const TYPE_SOA = 6;
export const TYPE_AAAA = 28;
export const TYPE_OPT = 41;
export const TYPE_ANY = 255;
export const CLASS_IN = 1;
const CLASS_ANY = 255;

export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;
export const RCODE_NOTIMP = 4;
export const RCODE_REFUSED = 5;

const HEADER = 12;
const MAX_NAME = 255;
const MAX_LABELS = 127;
const MAX_POINTERS = 64;
/** Records other than the question a query may carry (an OPT, perhaps a TSIG or a cookie). */
const MAX_OTHER_RECORDS = 8;
/** Larger UDP datagrams are dropped unread. */
export const MAX_UDP_QUERY = 4096;
/** The largest UDP answer we send to an EDNS client (the DNS flag day 2020 value). */
const EDNS_UDP_SIZE = 1232;
/** Addresses in one answer, before the size limit (TC) applies. */
const MAX_ANSWERS = 64;

export interface DnsQuestion {
  /** Lower-cased, dot-separated, no trailing dot ('' for the root); for logs and tests. */
  name: string;
  /** The same, label by label (a label may itself hold a dot: matching uses these). */
  labels: string[];
  type: number;
  class: number;
}

export interface DnsQuery {
  id: number;
  opcode: number;
  /** Recursion desired (echoed, as RFC 1035 asks). */
  rd: boolean;
  /** The question exactly as sent (name, type, class), echoed in the answer. */
  questionBytes: Buffer;
  question: DnsQuestion;
  /** Present when the query carried an EDNS OPT record: the UDP size the client accepts. */
  ednsUdpSize?: number;
}

/** parseQuery's verdict: a query to answer, an error to answer with (the id is known), or
 * something to drop without a word (too short for a header, or a response). */
export type ParsedQuery = { kind: 'query'; query: DnsQuery } | { kind: 'error'; id: number; opcode: number; rd: boolean; rcode: number } | { kind: 'drop' };

class MalformedError extends Error {
  override name = 'MalformedError';
}

/** Reads a (possibly compressed) name at `offset`; returns its labels and where the record
 * continues after it. Throws MalformedError on anything out of bounds or out of shape. */
export function readName(buf: Buffer, offset: number): { labels: string[]; next: number } {
  const labels: string[] = [];
  let length = 1; // the root's zero byte
  let at = offset;
  let next = -1;
  let jumps = 0;
  for (;;) {
    if (at >= buf.length) throw new MalformedError('name runs past the end');
    const len = buf[at]!;
    if (len === 0) {
      if (next < 0) next = at + 1;
      return { labels, next };
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (at + 1 >= buf.length) throw new MalformedError('pointer runs past the end');
      const target = ((len & 0x3f) << 8) | buf[at + 1]!;
      // Only backwards, so a chain of pointers always ends.
      if (target >= at || target < HEADER) throw new MalformedError('bad compression pointer');
      if (++jumps > MAX_POINTERS) throw new MalformedError('too many compression pointers');
      if (next < 0) next = at + 2;
      at = target;
      continue;
    }
    if (kind !== 0) throw new MalformedError('unknown label type');
    if (at + 1 + len > buf.length) throw new MalformedError('label runs past the end');
    length += len + 1;
    if (length > MAX_NAME || labels.length >= MAX_LABELS) throw new MalformedError('name too long');
    labels.push(buf.toString('latin1', at + 1, at + 1 + len).toLowerCase());
    at += 1 + len;
  }
}

/** Skips a resource record at `offset` (name, type, class, ttl, rdata); returns its type,
 * class (the UDP size for OPT) and where the next one starts. */
function skipRecord(buf: Buffer, offset: number): { type: number; klass: number; next: number } {
  const { next: afterName } = readName(buf, offset);
  if (afterName + 10 > buf.length) throw new MalformedError('record header runs past the end');
  const type = buf.readUInt16BE(afterName);
  const klass = buf.readUInt16BE(afterName + 2);
  const rdlen = buf.readUInt16BE(afterName + 8);
  const next = afterName + 10 + rdlen;
  if (next > buf.length) throw new MalformedError('rdata runs past the end');
  return { type, klass, next };
}

/** Parses a query. Never throws. */
export function parseQuery(buf: Buffer): ParsedQuery {
  if (buf.length < HEADER) return { kind: 'drop' };
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  // A response (QR set) is never answered: two servers must not bounce errors forever.
  if (flags & 0x8000) return { kind: 'drop' };
  const opcode = (flags >> 11) & 0xf;
  const rd = (flags & 0x0100) !== 0;
  if (opcode !== 0) return { kind: 'error', id, opcode, rd, rcode: RCODE_NOTIMP };
  const qd = buf.readUInt16BE(4);
  const others = buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10);
  const formErr = { kind: 'error' as const, id, opcode, rd, rcode: RCODE_FORMERR };
  if (qd !== 1 || others > MAX_OTHER_RECORDS) return formErr;
  try {
    const { labels, next } = readName(buf, HEADER);
    if (next + 4 > buf.length) return formErr;
    const question = { name: labels.join('.'), labels, type: buf.readUInt16BE(next), class: buf.readUInt16BE(next + 2) };
    const questionBytes = Buffer.from(buf.subarray(HEADER, next + 4));
    let at = next + 4;
    let ednsUdpSize: number | undefined;
    for (let i = 0; i < others; i++) {
      const rec = skipRecord(buf, at);
      if (rec.type === TYPE_OPT) ednsUdpSize = rec.klass;
      at = rec.next;
    }
    return { kind: 'query', query: { id, opcode, rd, questionBytes, question, ...(ednsUdpSize !== undefined ? { ednsUdpSize } : {}) } };
  } catch (err) {
    if (err instanceof MalformedError) return formErr;
    throw err;
  }
}

/** What a lookup decided. */
export interface DnsAnswer {
  rcode: number;
  /** Authoritative (inside the cluster domain). */
  aa: boolean;
  /** IPv4 addresses for A records. */
  addresses: string[];
  /** Send the zone's SOA: as the answer (a SOA query at the apex) or, for NXDOMAIN and
   * no-data answers, in the authority section (negative caching, RFC 2308). */
  soa?: 'answer' | 'authority';
  /** The name is outside the cluster domain (class IN): an upstream may answer it. */
  outside?: boolean;
}

export interface ResponseOptions {
  id: number;
  opcode: number;
  rd: boolean;
  questionBytes?: Buffer;
  answer: DnsAnswer;
  /** The cluster domain, for the SOA. */
  domain: string;
  ttl: number;
  /** Echo an OPT record (the query had one) advertising this UDP size. */
  ednsUdpSize?: number;
  /** Bytes the message may take (512 for plain UDP); answers that do not fit are left out
   * and TC is set, so the client asks again over TCP. */
  maxSize: number;
}

function encodeName(name: string): Buffer {
  const parts = name === '' ? [] : name.split('.');
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')])), Buffer.from([0])]);
}

function soaRecord(domain: string, ttl: number): Buffer {
  const owner = encodeName(domain);
  const rdata = Buffer.concat([
    encodeName(`ns.dns.${domain}`),
    encodeName(`hostmaster.${domain}`),
    Buffer.alloc(20),
  ]);
  const tail = rdata.subarray(rdata.length - 20);
  // serial, refresh, retry, expire, minimum (the negative-caching TTL).
  tail.writeUInt32BE(1, 0);
  tail.writeUInt32BE(7200, 4);
  tail.writeUInt32BE(1800, 8);
  tail.writeUInt32BE(86400, 12);
  tail.writeUInt32BE(ttl, 16);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(TYPE_SOA, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, fixed, rdata]);
}

function aRecord(ip: string, ttl: number): Buffer {
  const rec = Buffer.alloc(16);
  rec.writeUInt16BE(0xc000 | HEADER, 0); // the question's name
  rec.writeUInt16BE(TYPE_A, 2);
  rec.writeUInt16BE(CLASS_IN, 4);
  rec.writeUInt32BE(ttl, 6);
  rec.writeUInt16BE(4, 10);
  ip.split('.').forEach((o, i) => rec.writeUInt8(Number(o) & 0xff, 12 + i));
  return rec;
}

function optRecord(udpSize: number): Buffer {
  const rec = Buffer.alloc(11);
  rec.writeUInt16BE(TYPE_OPT, 1);
  rec.writeUInt16BE(udpSize, 3);
  return rec;
}

/** Builds a response. Without questionBytes (a query too broken to echo) the message has the
 * header only. */
export function encodeResponse(o: ResponseOptions): Buffer {
  const question = o.questionBytes ?? Buffer.alloc(0);
  const soa = o.answer.soa ? soaRecord(o.domain, o.ttl) : undefined;
  const opt = o.ednsUdpSize !== undefined ? optRecord(o.ednsUdpSize) : undefined;
  const fixed = HEADER + question.length + (soa?.length ?? 0) + (opt?.length ?? 0);
  let addresses = o.answer.addresses.filter((ip) => isIPv4(ip)).slice(0, MAX_ANSWERS);
  let tc = false;
  const fit = Math.max(0, Math.floor((o.maxSize - fixed) / 16));
  if (addresses.length > fit) {
    addresses = addresses.slice(0, fit);
    tc = true;
  }
  const answers = addresses.map((ip) => aRecord(ip, o.ttl));
  const header = Buffer.alloc(HEADER);
  header.writeUInt16BE(o.id, 0);
  let flags = 0x8000 | ((o.opcode & 0xf) << 11) | (o.answer.rcode & 0xf);
  if (o.answer.aa) flags |= 0x0400;
  if (tc) flags |= 0x0200;
  if (o.rd) flags |= 0x0100;
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(o.questionBytes ? 1 : 0, 4);
  const soaAnswer = soa && o.answer.soa === 'answer';
  header.writeUInt16BE(answers.length + (soaAnswer ? 1 : 0), 6);
  header.writeUInt16BE(soa && !soaAnswer ? 1 : 0, 8);
  header.writeUInt16BE(opt ? 1 : 0, 10);
  return Buffer.concat([header, question, ...answers, ...(soa ? [soa] : []), ...(opt ? [opt] : [])]);
}

/** What the responder knows of Services; backed by the proxy's informer caches. Called on
 * the event loop for every query: must be cheap and must not throw. */
export interface ServiceRecords {
  /** False until the caches are filled: the responder answers SERVFAIL meanwhile rather than
   * a wrong NXDOMAIN. */
  ready(): boolean;
  /** A Service's A-record addresses (its ClusterIP, or a headless Service's ready endpoint
   * IPs, possibly none), or undefined when there is no such Service. */
  addresses(namespace: string, name: string): string[] | undefined;
  /** Whether any Service lives in the namespace (then NAMESPACE.svc.DOMAIN exists). */
  hasNamespace(namespace: string): boolean;
}

/** Decides the answer to a question. Pure apart from reading `records`. */
export function lookup(q: DnsQuestion, domain: string, records: ServiceRecords): DnsAnswer {
  const refused: DnsAnswer = { rcode: RCODE_REFUSED, aa: false, addresses: [] };
  if (q.class !== CLASS_IN && q.class !== CLASS_ANY) return refused;
  const outside: DnsAnswer = { ...refused, outside: true };
  const labels = q.labels;
  const zone = domain.split('.');
  let rel: string[];
  if (labels.length >= zone.length && zone.every((z, i) => labels[labels.length - zone.length + i] === z)) {
    rel = labels.slice(0, labels.length - zone.length);
  } else if (labels.length === 3 && labels[2] === 'svc') {
    rel = labels; // NAME.NAMESPACE.svc
  } else {
    return outside;
  }
  if (!records.ready()) return { rcode: RCODE_SERVFAIL, aa: false, addresses: [] };
  const nxdomain: DnsAnswer = { rcode: RCODE_NXDOMAIN, aa: true, addresses: [], soa: 'authority' };
  const noData: DnsAnswer = { rcode: RCODE_NOERROR, aa: true, addresses: [], soa: 'authority' };
  if (rel.length === 0) {
    return q.type === TYPE_SOA || q.type === TYPE_ANY ? { rcode: RCODE_NOERROR, aa: true, addresses: [], soa: 'answer' } : noData;
  }
  if (rel[rel.length - 1] !== 'svc') return nxdomain;
  if (rel.length === 1) return noData;
  const namespace = rel[rel.length - 2]!;
  if (rel.length === 2) return records.hasNamespace(namespace) ? noData : nxdomain;
  if (rel.length > 3) return nxdomain;
  const addresses = records.addresses(namespace, rel[0]!);
  if (addresses === undefined) return nxdomain;
  if (q.type !== TYPE_A && q.type !== TYPE_ANY) return noData;
  return addresses.length > 0 ? { rcode: RCODE_NOERROR, aa: true, addresses } : noData;
}

export interface ResponderOptions {
  /** The cluster domain (e.g. cluster.local), lower case, no trailing dot. */
  domain: string;
  records: ServiceRecords;
  /** TTL of the answers and of negative answers (default 5 s, as CoreDNS's kubernetes plugin). */
  ttl?: number;
}

/** What to do with one message: send `bytes`, stay silent, or forward the query upstream
 * (`query`, parsed; `clientMax`: the bytes the client accepts in one reply). */
export type Decision = { kind: 'reply'; bytes: Buffer } | { kind: 'drop' } | { kind: 'forward'; query: DnsQuery; clientMax: number };

/** Decides the fate of one message; `forwarding` says whether names outside the cluster domain
 * may go upstream (else they are REFUSED). Never throws. */
export function decide(msg: Buffer, transport: 'udp' | 'tcp', opts: ResponderOptions, forwarding: boolean): Decision {
  const ttl = opts.ttl ?? 5;
  const parsed = parseQuery(msg);
  if (parsed.kind === 'drop') return { kind: 'drop' };
  if (parsed.kind === 'error') {
    return { kind: 'reply', bytes: encodeResponse({ ...parsed, answer: { rcode: parsed.rcode, aa: false, addresses: [] }, domain: opts.domain, ttl, maxSize: 512 }) };
  }
  const q = parsed.query;
  let answer: DnsAnswer;
  try {
    answer = lookup(q.question, opts.domain, opts.records);
  } catch {
    answer = { rcode: RCODE_SERVFAIL, aa: false, addresses: [] };
  }
  const edns = q.ednsUdpSize !== undefined;
  if (answer.outside && forwarding) {
    // The client's own limit: the upstream's answer is relayed as it is, not re-encoded.
    return { kind: 'forward', query: q, clientMax: transport === 'tcp' ? 65535 : edns ? Math.max(512, q.ednsUdpSize ?? 512) : 512 };
  }
  const maxSize = transport === 'tcp' ? 65535 : edns ? Math.min(Math.max(512, q.ednsUdpSize ?? 512), EDNS_UDP_SIZE) : 512;
  return { kind: 'reply', bytes: encodeResponse({ id: q.id, opcode: q.opcode, rd: q.rd, questionBytes: q.questionBytes, answer, domain: opts.domain, ttl, ...(edns ? { ednsUdpSize: EDNS_UDP_SIZE } : {}), maxSize }) };
}

/** Answers one message without forwarding (names outside the domain are REFUSED): the
 * response bytes, or undefined to stay silent. Never throws. */
export function respond(msg: Buffer, transport: 'udp' | 'tcp', opts: ResponderOptions): Buffer | undefined {
  const d = decide(msg, transport, opts, false);
  return d.kind === 'reply' ? d.bytes : undefined;
}

/** The SERVFAIL for a query no upstream answered. */
function serverFailure(q: DnsQuery, opts: ResponderOptions): Buffer {
  const edns = q.ednsUdpSize !== undefined;
  return encodeResponse({
    id: q.id,
    opcode: q.opcode,
    rd: q.rd,
    questionBytes: q.questionBytes,
    answer: { rcode: RCODE_SERVFAIL, aa: false, addresses: [] },
    domain: opts.domain,
    ttl: opts.ttl ?? 5,
    ...(edns ? { ednsUdpSize: EDNS_UDP_SIZE } : {}),
    maxSize: 512,
  });
}

/** Answers one message, forwarding it upstream when `forwarder` is given and the name is
 * outside the cluster domain: the response bytes, or undefined to stay silent. Never rejects;
 * settles within the forwarder's timeout. */
export async function answer(msg: Buffer, transport: 'udp' | 'tcp', opts: ResponderOptions, forwarder: DnsForwarder | undefined): Promise<Buffer | undefined> {
  const d = decide(msg, transport, opts, forwarder !== undefined);
  if (d.kind === 'drop') return undefined;
  if (d.kind === 'reply') return d.bytes;
  const q = d.query;
  const result = await forwarder!.forward(msg, q.questionBytes, transport);
  if (!result.ok) return serverFailure(q, opts);
  return result.reply.length > d.clientMax ? truncated(result.reply, q.questionBytes.length) : result.reply;
}

export interface DnsLogger {
  warn(message: string): void;
}

export interface DnsServerConfig extends ResponderOptions {
  address: string;
  /** Default 53; 0 picks a free port (the same for UDP and TCP). */
  port?: number;
  logger: DnsLogger;
  /** Where names outside the cluster domain go (dns-forward.ts). Absent or no upstreams:
   * they are REFUSED. */
  forward?: Omit<ForwarderOptions, 'logger'>;
  /** Open TCP connections at most (default 64). */
  maxTcpConnections?: number;
  /** An idle TCP connection is closed after this long (default 10 s). */
  tcpIdleMs?: number;
}

export interface DnsServer {
  address: string;
  port: number;
  /** The forwarder, when there are upstreams (for its inFlight count). */
  forwarder?: DnsForwarder;
  close(): Promise<void>;
}

const MAX_TCP_QUERIES = 256;
const MAX_TCP_UNREAD = 256 * 1024;

/** Serves the responder on UDP and TCP at address:port. */
export async function startDnsServer(cfg: DnsServerConfig): Promise<DnsServer> {
  const udp: UdpSocket = createSocket({ type: 'udp4' });
  const sockets = new Set<Socket>();
  const forwarder = cfg.forward?.upstreams.length ? new DnsForwarder({ ...cfg.forward, logger: cfg.logger }) : undefined;
  let stopped = false;
  const fail = (from: string, err: unknown): undefined => {
    cfg.logger.warn(`dns: query from ${from}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  };
  udp.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    if (msg.length > MAX_UDP_QUERY) return;
    void answer(msg, 'udp', cfg, forwarder)
      .catch((err: unknown) => fail(rinfo.address, err))
      .then((out) => {
        if (!out || stopped) return;
        try {
          udp.send(out, rinfo.port, rinfo.address, () => undefined);
        } catch (err) {
          fail(rinfo.address, err);
        }
      });
  });
  udp.on('error', (err) => cfg.logger.warn(`dns: udp ${cfg.address}: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind({ address: cfg.address, port: cfg.port ?? 53, exclusive: true }, () => {
      udp.removeListener('error', reject);
      resolve();
    });
  });
  const port = udp.address().port;

  const tcp: Server = createServer({ allowHalfOpen: false }, (socket) => serveTcp(socket));
  tcp.maxConnections = cfg.maxTcpConnections ?? 64;
  const serveTcp = (socket: Socket): void => {
    sockets.add(socket);
    socket.setTimeout(cfg.tcpIdleMs ?? 10_000, () => socket.destroy());
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let buf: Buffer = Buffer.alloc(0);
    let served = 0;
    let busy = false;
    // One query at a time per connection, in order: while one is forwarded, reading pauses
    // (TCP flow control holds the rest back), so a connection holds at most one forward and
    // one frame of input.
    const drain = async (): Promise<void> => {
      busy = true;
      try {
        while (buf.length >= 2 && !socket.destroyed) {
          const len = buf.readUInt16BE(0);
          if (buf.length < 2 + len) break;
          const msg = buf.subarray(2, 2 + len);
          buf = buf.subarray(2 + len);
          socket.pause();
          const out = await answer(msg, 'tcp', cfg, forwarder).catch(() => undefined);
          if (!out || ++served > MAX_TCP_QUERIES || socket.writableLength > MAX_TCP_UNREAD || socket.destroyed) {
            socket.destroy();
            return;
          }
          const framed = Buffer.alloc(2 + out.length);
          framed.writeUInt16BE(out.length, 0);
          out.copy(framed, 2);
          socket.write(framed);
        }
        socket.resume();
      } finally {
        busy = false;
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (!busy) void drain();
    });
  };
  tcp.on('error', (err) => cfg.logger.warn(`dns: tcp ${cfg.address}:${port}: ${err.message}`));
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host: cfg.address, port, exclusive: true }, () => {
        tcp.removeListener('error', reject);
        resolve();
      });
    });
  } catch (err) {
    forwarder?.close();
    udp.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    address: cfg.address,
    port,
    ...(forwarder ? { forwarder } : {}),
    close() {
      closing ??= (async () => {
        stopped = true;
        forwarder?.close();
        await new Promise<void>((r) => udp.close(() => r()));
        const closed = new Promise<void>((r) => tcp.close(() => r()));
        for (const s of sockets) s.destroy();
        await closed;
      })();
      return closing;
    },
  };
}
