// The cluster DNS responder (services/proxy/dns.ts) without a cluster: the packet codec, the
// lookup rules, malformed input, and the UDP and TCP servers on loopback. Answers are read back
// with a small decoder written here, independently of the one under test.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_UDP_QUERY,
  RCODE_FORMERR,
  RCODE_NOERROR,
  RCODE_NOTIMP,
  RCODE_NXDOMAIN,
  RCODE_REFUSED,
  RCODE_SERVFAIL,
  TYPE_A,
  TYPE_AAAA,
  TYPE_SOA,
  parseQuery,
  readName,
  respond,
  startDnsServer,
  type DnsServer,
  type ServiceRecords,
} from '../services/proxy/dns.js';

import { dnsQuery as query, encodeName } from './dns-upstream-fake.js';

const DOMAIN = 'cluster.local';

/** default/web → 198.18.2.10; default/headless → two pod IPs; default/empty → headless with
 * no ready endpoint; default/big → 100 addresses. */
function records(ready = true): ServiceRecords {
  const table: Record<string, string[]> = {
    'default/web': ['198.18.2.10'],
    'default/headless': ['10.244.0.7', '10.244.0.8'],
    'default/empty': [],
    'default/big': Array.from({ length: 100 }, (_, i) => `10.244.1.${i + 1}`),
    'team-a/api': ['198.18.2.11'],
  };
  return {
    ready: () => ready,
    addresses: (ns, name) => table[`${ns}/${name}`],
    hasNamespace: (ns) => Object.keys(table).some((k) => k.startsWith(`${ns}/`)),
  };
}


interface Decoded {
  id: number;
  qr: boolean;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  rcode: number;
  questions: string[];
  answers: Array<{ name: string; type: number; ttl: number; data: string }>;
  authority: Array<{ name: string; type: number; ttl: number }>;
  additional: Array<{ type: number; klass: number }>;
}

/** Reads a name, following pointers (bounded). */
function name(buf: Buffer, at: number): { name: string; next: number } {
  const labels: string[] = [];
  let next = -1;
  for (let hops = 0; hops < 20; hops++) {
    const len = buf[at]!;
    if (len === 0) return { name: labels.join('.'), next: next < 0 ? at + 1 : next };
    if ((len & 0xc0) === 0xc0) {
      if (next < 0) next = at + 2;
      at = buf.readUInt16BE(at) & 0x3fff;
      continue;
    }
    labels.push(buf.toString('latin1', at + 1, at + 1 + len));
    at += 1 + len;
  }
  throw new Error('pointer loop');
}

function decode(buf: Buffer): Decoded {
  const flags = buf.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o));
  let at = 12;
  const questions: string[] = [];
  for (let i = 0; i < counts[0]!; i++) {
    const n = name(buf, at);
    questions.push(n.name);
    at = n.next + 4;
  }
  const rr = (): { name: string; type: number; klass: number; ttl: number; data: Buffer } => {
    const n = name(buf, at);
    const type = buf.readUInt16BE(n.next);
    const klass = buf.readUInt16BE(n.next + 2);
    const ttl = buf.readUInt32BE(n.next + 4);
    const len = buf.readUInt16BE(n.next + 8);
    const data = buf.subarray(n.next + 10, n.next + 10 + len);
    at = n.next + 10 + len;
    return { name: n.name, type, klass, ttl, data };
  };
  const answers = Array.from({ length: counts[1]! }, () => {
    const r = rr();
    return { name: r.name, type: r.type, ttl: r.ttl, data: r.type === TYPE_A ? [...r.data].join('.') : r.data.toString('hex') };
  });
  const authority = Array.from({ length: counts[2]! }, () => {
    const r = rr();
    return { name: r.name, type: r.type, ttl: r.ttl };
  });
  const additional = Array.from({ length: counts[3]! }, () => {
    const r = rr();
    return { type: r.type, klass: r.klass };
  });
  expect(at).toBe(buf.length);
  return {
    id: buf.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    rcode: flags & 0xf,
    questions,
    answers,
    authority,
    additional,
  };
}

function ask(name: string, type = TYPE_A, opts: { ready?: boolean; transport?: 'udp' | 'tcp'; edns?: number } = {}): Decoded {
  const out = respond(query(name, type, opts.edns !== undefined ? { edns: opts.edns } : {}), opts.transport ?? 'udp', { domain: DOMAIN, records: records(opts.ready ?? true) });
  expect(out).toBeDefined();
  return decode(out!);
}

describe('lookup', () => {
  it('answers a Service by NAME.NAMESPACE.svc.DOMAIN and by NAME.NAMESPACE.svc, case-insensitively', () => {
    for (const n of ['web.default.svc.cluster.local', 'web.default.svc', 'WEB.Default.SVC.Cluster.Local']) {
      const r = ask(n);
      expect(r).toMatchObject({ id: 0x1234, qr: true, aa: true, rd: true, rcode: RCODE_NOERROR, questions: [n] });
      expect(r.answers).toEqual([{ name: n, type: TYPE_A, ttl: 5, data: '198.18.2.10' }]);
    }
    expect(ask('api.team-a.svc.cluster.local').answers.map((a) => a.data)).toEqual(['198.18.2.11']);
  });

  it('answers a headless Service with its ready endpoint IPs', () => {
    expect(ask('headless.default.svc.cluster.local').answers.map((a) => a.data)).toEqual(['10.244.0.7', '10.244.0.8']);
  });

  it('NXDOMAIN for names in the domain that do not exist, with the SOA for negative caching', () => {
    for (const n of ['nope.default.svc.cluster.local', 'web.other.svc.cluster.local', 'other.svc.cluster.local', 'x.pod.cluster.local', 'a.web.default.svc.cluster.local', 'nope.default.svc']) {
      const r = ask(n);
      expect(r.rcode, n).toBe(RCODE_NXDOMAIN);
      expect(r.aa).toBe(true);
      expect(r.answers).toEqual([]);
      expect(r.authority).toEqual([{ name: DOMAIN, type: TYPE_SOA, ttl: 5 }]);
    }
  });

  it('NOERROR with no answer for names that exist but have no A record', () => {
    for (const [n, t] of [
      ['web.default.svc.cluster.local', TYPE_AAAA],
      ['empty.default.svc.cluster.local', TYPE_A],
      ['default.svc.cluster.local', TYPE_A],
      ['svc.cluster.local', TYPE_A],
      ['cluster.local', TYPE_A],
    ] as const) {
      const r = ask(n, t);
      expect(r.rcode, n).toBe(RCODE_NOERROR);
      expect(r.answers).toEqual([]);
      expect(r.authority.map((a) => a.type)).toEqual([TYPE_SOA]);
    }
    const soa = ask('cluster.local', TYPE_SOA);
    expect(soa.answers.map((a) => a.type)).toEqual([TYPE_SOA]);
  });

  it('REFUSED for names outside the cluster domain when nothing forwards them', () => {
    for (const n of ['example.com', 'web.default', 'local', 'cluster.local.example.com', 'web.default.svc.example', '1.0.18.198.in-addr.arpa', '']) {
      const r = ask(n);
      expect(r.rcode, n).toBe(RCODE_REFUSED);
      expect(r.aa).toBe(false);
      expect(r.answers).toEqual([]);
    }
  });

  it('SERVFAIL inside the domain until the caches are filled', () => {
    expect(ask('web.default.svc.cluster.local', TYPE_A, { ready: false }).rcode).toBe(RCODE_SERVFAIL);
    expect(ask('example.com', TYPE_A, { ready: false }).rcode).toBe(RCODE_REFUSED);
  });

  it('a big answer is cut to fit 512 bytes over UDP with TC set, whole over TCP, and EDNS raises the UDP limit', () => {
    const udp = ask('big.default.svc.cluster.local');
    expect(udp.tc).toBe(true);
    expect(udp.answers.length).toBeGreaterThan(10);
    expect(udp.answers.length).toBeLessThan(64);
    const tcp = ask('big.default.svc.cluster.local', TYPE_A, { transport: 'tcp' });
    expect(tcp.tc).toBe(false);
    expect(tcp.answers).toHaveLength(64); // MAX_ANSWERS
    const edns = ask('big.default.svc.cluster.local', TYPE_A, { edns: 4096 });
    expect(edns.answers.length).toBeGreaterThan(udp.answers.length);
    expect(edns.additional).toEqual([{ type: 41, klass: 1232 }]);
  });
});

describe('malformed input', () => {
  const opts = { domain: DOMAIN, records: records() };

  it('drops what is too short for a header, and responses', () => {
    for (let n = 0; n < 12; n++) expect(respond(Buffer.alloc(n, 0xff), 'udp', opts)).toBeUndefined();
    expect(respond(query('web.default.svc', TYPE_A, { flags: 0x8100 }), 'udp', opts)).toBeUndefined();
  });

  it('NOTIMP for opcodes other than QUERY', () => {
    const r = decode(respond(query('web.default.svc', TYPE_A, { flags: 2 << 11 }), 'udp', opts)!);
    expect(r.rcode).toBe(RCODE_NOTIMP);
    expect(r.questions).toEqual([]);
  });

  function formerr(buf: Buffer): void {
    const out = respond(buf, 'udp', opts);
    expect(out, buf.toString('hex')).toBeDefined();
    const r = decode(out!);
    expect(r.rcode, buf.toString('hex')).toBe(RCODE_FORMERR);
    expect(r.answers).toEqual([]);
  }

  it('FORMERR for broken questions', () => {
    const good = query('web.default.svc');
    // Every truncation of a valid query past the header.
    for (let n = 12; n < good.length; n++) formerr(good.subarray(0, n));
    // No question, or two.
    const none = Buffer.from(good);
    none.writeUInt16BE(0, 4);
    formerr(none);
    const two = Buffer.from(good);
    two.writeUInt16BE(2, 4);
    formerr(two);
    // A label that runs past the end; a reserved label type (0x40, 0x80).
    formerr(Buffer.concat([good.subarray(0, 12), Buffer.from([63, 0x61, 0x62])]));
    formerr(Buffer.concat([good.subarray(0, 12), Buffer.from([0x41, 0, 0, 1, 0, 1])]));
    formerr(Buffer.concat([good.subarray(0, 12), Buffer.from([0x81, 0, 0, 1, 0, 1])]));
    // A name over 255 bytes.
    formerr(Buffer.concat([good.subarray(0, 12), ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([60]), Buffer.alloc(60, 0x61)])), Buffer.from([0, 0, 1, 0, 1])]));
    // Too many records besides the question.
    const crowded = Buffer.from(good);
    crowded.writeUInt16BE(200, 10);
    formerr(crowded);
    // An additional record whose rdata runs past the end.
    const opt = Buffer.alloc(11);
    opt.writeUInt16BE(41, 1);
    opt.writeUInt16BE(500, 9);
    const trailing = Buffer.concat([good, opt]);
    trailing.writeUInt16BE(1, 10);
    formerr(trailing);
  });

  it('FORMERR for compression pointers that point forward, at themselves, or loop', () => {
    const head = query('x').subarray(0, 12);
    const tail = Buffer.from([0, 1, 0, 1]);
    formerr(Buffer.concat([head, Buffer.from([0xc0, 12]), tail])); // itself
    formerr(Buffer.concat([head, Buffer.from([0xc0, 40]), tail])); // forward
    formerr(Buffer.concat([head, Buffer.from([0xc0, 2]), tail])); // into the header
    formerr(Buffer.concat([head, Buffer.from([1, 0x61, 0xc0, 12]), tail])); // a → a → a ...
    formerr(Buffer.concat([head, Buffer.from([0xc0]), Buffer.alloc(0)])); // half a pointer
  });

  it('follows a backward pointer, and keeps the question as sent for the echo', () => {
    // A name later in a message that ends with a pointer to one before it.
    const first = encodeName('Default.svc');
    const buf = Buffer.concat([Buffer.alloc(12), first, Buffer.from([3, 0x77, 0x65, 0x62, 0xc0, 12])]);
    expect(readName(buf, 12 + first.length)).toEqual({ labels: ['web', 'default', 'svc'], next: buf.length });
    const parsed = parseQuery(query('Web.Default.Svc'));
    expect(parsed.kind).toBe('query');
    if (parsed.kind === 'query') {
      expect(parsed.query.question).toMatchObject({ name: 'web.default.svc', labels: ['web', 'default', 'svc'], type: TYPE_A, class: 1 });
      expect(parsed.query.questionBytes.toString('latin1')).toContain('Web');
    }
  });

  it('survives random bytes: never throws, always a bounded answer or silence', () => {
    let seed = 42;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const good = query('web.default.svc.cluster.local');
    for (let i = 0; i < 20_000; i++) {
      let buf: Buffer;
      if (i % 2 === 0) {
        buf = Buffer.alloc(rand() % 300);
        for (let j = 0; j < buf.length; j++) buf[j] = rand() & 0xff;
        // Mostly plausible headers: a query with one question.
        if (buf.length >= 12 && i % 4 === 0) {
          buf.writeUInt16BE(0x0100, 2);
          buf.writeUInt16BE(1, 4);
        }
      } else {
        // A valid query with a few bytes flipped.
        buf = Buffer.from(good);
        for (let k = 0; k < 1 + (rand() % 4); k++) buf[rand() % buf.length] = rand() & 0xff;
      }
      const out = respond(buf, 'udp', opts);
      if (out) {
        expect(out.length).toBeLessThanOrEqual(512);
        expect(out.readUInt16BE(2) & 0x8000).toBe(0x8000);
      }
    }
  });
});

describe('the servers on loopback', () => {
  let server: DnsServer;

  beforeAll(async () => {
    server = await startDnsServer({ address: '127.0.0.1', port: 0, domain: DOMAIN, records: records(), logger: { warn: () => {} }, tcpIdleMs: 2000 });
  });
  afterAll(async () => {
    await server?.close();
  });

  function udpAsk(buf: Buffer, timeoutMs = 3000): Promise<Buffer | undefined> {
    const sock = createSocket('udp4');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sock.close();
        resolve(undefined);
      }, timeoutMs);
      sock.on('message', (m) => {
        clearTimeout(timer);
        sock.close();
        resolve(m);
      });
      sock.on('error', reject);
      sock.send(buf, server.port, '127.0.0.1');
    });
  }

  it('answers over UDP, stays up after garbage, and ignores oversized datagrams', async () => {
    const r = decode((await udpAsk(query('web.default.svc.cluster.local')))!);
    expect(r.answers.map((a) => a.data)).toEqual(['198.18.2.10']);
    expect(await udpAsk(Buffer.from([1, 2, 3]), 300)).toBeUndefined();
    const big = Buffer.concat([query('web.default.svc'), Buffer.alloc(MAX_UDP_QUERY)]);
    expect(await udpAsk(big, 300)).toBeUndefined();
    expect(decode((await udpAsk(query('web.default.svc', TYPE_A, { id: 7 })))!)).toMatchObject({ id: 7, rcode: RCODE_NOERROR });
  });

  it('answers over TCP, several queries on one connection, split across writes', async () => {
    const sock = connect(server.port, '127.0.0.1');
    const frames: Buffer[] = [];
    let buf = Buffer.alloc(0);
    const got = new Promise<void>((resolve, reject) => {
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          frames.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          buf = buf.subarray(2 + buf.readUInt16BE(0));
        }
        if (frames.length === 2) resolve();
      });
      sock.on('error', reject);
    });
    const frame = (q: Buffer): Buffer => Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q]);
    const both = Buffer.concat([frame(query('big.default.svc.cluster.local', TYPE_A, { id: 1 })), frame(query('example.com', TYPE_A, { id: 2 }))]);
    sock.write(both.subarray(0, 5));
    await new Promise((r) => setTimeout(r, 50));
    sock.write(both.subarray(5));
    await got;
    sock.destroy();
    const [a, b] = frames.map(decode);
    expect(a).toMatchObject({ id: 1, tc: false, rcode: RCODE_NOERROR });
    expect(a!.answers).toHaveLength(64);
    expect(b).toMatchObject({ id: 2, rcode: RCODE_REFUSED });
  });

  it('closes a TCP connection that sends a response or nothing', async () => {
    const closed = (payload: Buffer | undefined): Promise<boolean> =>
      new Promise((resolve) => {
        const sock = connect(server.port, '127.0.0.1', () => {
          if (payload) sock.write(payload);
        });
        const timer = setTimeout(() => {
          sock.destroy();
          resolve(false);
        }, 5000);
        sock.on('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
        sock.on('error', () => undefined);
      });
    const resp = query('web.default.svc', TYPE_A, { flags: 0x8000 });
    expect(await closed(Buffer.concat([Buffer.from([0, resp.length]), resp]))).toBe(true);
    expect(await closed(undefined)).toBe(true); // the idle timeout (2 s here)
  });
});
