// Forwarding names outside the cluster domain (services/proxy/dns-forward.ts) through the real
// DNS server on loopback, to a fake upstream on loopback (test/dns-upstream-fake.ts): nothing
// here reaches a real resolver.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RCODE_NOERROR, RCODE_REFUSED, RCODE_SERVFAIL, startDnsServer, type DnsServer, type ServiceRecords } from '../services/proxy/dns.js';
import { matchesQuery, nodeUpstreams, parseResolvConf, parseUpstream, truncated } from '../services/proxy/dns-forward.js';
import { FAKE_ADDRESS, dnsQuery, fakeAnswer, questionEnd, startFakeUpstream, type FakeUpstream } from './dns-upstream-fake.js';

const DOMAIN = 'cluster.local';
const records: ServiceRecords = {
  ready: () => true,
  addresses: (ns, name) => (ns === 'default' && name === 'web' ? ['198.18.2.10'] : undefined),
  hasNamespace: (ns) => ns === 'default',
};
const quiet = { warn: () => {} };

function query(name: string, id: number, opts: { edns?: number } = {}): Buffer {
  return dnsQuery(name, 1, { id, ...opts });
}

interface Reply {
  id: number;
  rcode: number;
  tc: boolean;
  addresses: string[];
}

/** Header fields and the A records (16-byte compressed ones after the question). */
function decode(m: Buffer): Reply {
  const end = questionEnd(m);
  const count = m.readUInt16BE(6);
  const addresses: string[] = [];
  for (let i = 0; i < count && end > 0; i++) addresses.push([...m.subarray(end + i * 16 + 12, end + i * 16 + 16)].join('.'));
  return { id: m.readUInt16BE(0), rcode: m.readUInt16BE(2) & 0xf, tc: (m.readUInt16BE(2) & 0x0200) !== 0, addresses };
}

function udpAsk(port: number, msg: Buffer, timeoutMs = 5000): Promise<{ reply?: Reply; ms: number }> {
  const start = Date.now();
  const sock = createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.close();
      resolve({ ms: Date.now() - start });
    }, timeoutMs);
    sock.on('message', (m: Buffer) => {
      clearTimeout(timer);
      sock.close();
      resolve({ reply: decode(m), ms: Date.now() - start });
    });
    sock.on('error', reject);
    sock.send(msg, port, '127.0.0.1');
  });
}

function tcpAsk(port: number, msg: Buffer, timeoutMs = 5000): Promise<Reply | undefined> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(Buffer.concat([Buffer.from([msg.length >> 8, msg.length & 0xff]), msg])));
    let buf: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(undefined);
    }, timeoutMs);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(timer);
        sock.destroy();
        resolve(decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      }
    });
    sock.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

describe('upstream configuration', () => {
  it('parses IP, IP:PORT and [IPv6]:PORT, and rejects anything else', () => {
    expect(parseUpstream('192.0.2.1')).toEqual({ host: '192.0.2.1', port: 53 });
    expect(parseUpstream('127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseUpstream('[2001:db8::1]:54')).toEqual({ host: '2001:db8::1', port: 54 });
    expect(parseUpstream('2001:db8::1')).toEqual({ host: '2001:db8::1', port: 53 });
    expect(parseUpstream('[::1]')).toEqual({ host: '::1', port: 53 });
    for (const bad of ['', 'dns.example', '1.2.3.4:0', '1.2.3.4:70000', '1.2.3:53', '[::1]:x']) {
      expect(() => parseUpstream(bad), bad).toThrow(/invalid DNS upstream/);
    }
  });

  it('reads the node\'s resolvers, minus the cluster DNS itself; behind systemd-resolved\'s stub, the servers it uses', async () => {
    expect(parseResolvConf('# c\nsearch x\nnameserver 192.0.2.1\nnameserver  fe80::1%eth0\nnameserver bogus\noptions ndots:1\n')).toEqual(['192.0.2.1', 'fe80::1']);
    const files: Record<string, string> = {
      '/etc/resolv.conf': 'nameserver 127.0.0.53\n',
      '/run/systemd/resolve/resolv.conf': 'nameserver 192.0.2.7\nnameserver 192.0.2.8\n',
    };
    const read = (p: string): Promise<string> => {
      const text = files[p];
      return text === undefined ? Promise.reject(new Error(`ENOENT ${p}`)) : Promise.resolve(text);
    };
    expect((await nodeUpstreams({ exclude: [], read })).upstreams).toEqual([
      { host: '192.0.2.7', port: 53 },
      { host: '192.0.2.8', port: 53 },
    ]);
    files['/etc/resolv.conf'] = 'nameserver 198.18.1.200\nnameserver 127.0.0.11\nnameserver 0.0.0.0\n';
    const r = await nodeUpstreams({ exclude: ['198.18.1.200'], read });
    expect(r.upstreams).toEqual([{ host: '127.0.0.11', port: 53 }]);
    expect(r.skipped.join(' ')).toMatch(/198\.18\.1\.200 \(the cluster DNS itself\).*0\.0\.0\.0/);
    delete files['/run/systemd/resolve/resolv.conf'];
    files['/etc/resolv.conf'] = 'nameserver 127.0.0.53\n';
    expect((await nodeUpstreams({ exclude: [], read })).upstreams).toEqual([{ host: '127.0.0.53', port: 53 }]);
  });

  it('accepts only replies to the query sent: its id, the response bit, the same question', () => {
    const q = query('www.example.com', 7);
    const question = q.subarray(12);
    const good = fakeAnswer(q);
    expect(matchesQuery(good, 7, question)).toBe(true);
    expect(matchesQuery(good, 8, question)).toBe(false);
    expect(matchesQuery(q, 7, question)).toBe(false); // not a response
    expect(matchesQuery(fakeAnswer(query('www.example.org', 7)), 7, question)).toBe(false);
    expect(matchesQuery(good.subarray(0, 20), 7, question)).toBe(false);
    expect(matchesQuery(Buffer.alloc(5), 7, question)).toBe(false);
    const upper = fakeAnswer(query('WWW.Example.COM', 7));
    expect(matchesQuery(upper, 7, question)).toBe(true);
    const cut = truncated(fakeAnswer(q, FAKE_ADDRESS, { count: 3 }), question.length);
    expect(decode(cut)).toEqual({ id: 7, rcode: 0, tc: true, addresses: [] });
  });
});

describe('forwarding through the DNS server', () => {
  let fake: FakeUpstream;
  let server: DnsServer | undefined;

  beforeAll(async () => {
    fake = await startFakeUpstream();
  });
  afterAll(async () => {
    await fake?.close();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    fake.behave = (q) => [fakeAnswer(q)];
    fake.seen.length = 0;
  });

  async function serve(opts: { upstreams?: string[]; timeoutMs?: number; maxInFlight?: number } = {}): Promise<DnsServer> {
    server = await startDnsServer({
      address: '127.0.0.1',
      port: 0,
      domain: DOMAIN,
      records,
      logger: quiet,
      forward: { upstreams: (opts.upstreams ?? [fake.spec]).map(parseUpstream), timeoutMs: opts.timeoutMs ?? 2000, maxInFlight: opts.maxInFlight ?? 256 },
    });
    return server;
  }

  it('relays the upstream\'s answer under the client\'s id, over UDP and over TCP; cluster names stay local', async () => {
    const s = await serve();
    const udp = await udpAsk(s.port, query('www.example.com', 0x4242));
    expect(udp.reply).toEqual({ id: 0x4242, rcode: RCODE_NOERROR, tc: false, addresses: [FAKE_ADDRESS] });
    const tcp = await tcpAsk(s.port, query('tcp.example.com', 0x1111));
    expect(tcp).toEqual({ id: 0x1111, rcode: RCODE_NOERROR, tc: false, addresses: [FAKE_ADDRESS] });
    expect(fake.seen.map((q) => [q.transport, q.name])).toEqual([
      ['udp', 'www.example.com'],
      ['tcp', 'tcp.example.com'],
    ]);
    // The forwarder's own ids, not the clients' (a one in 65536 chance of being equal each).
    expect(fake.seen.some((q) => q.id !== 0x4242 && q.id !== 0x1111)).toBe(true);
    const local = await udpAsk(s.port, query('web.default.svc.cluster.local', 9));
    expect(local.reply).toEqual({ id: 9, rcode: RCODE_NOERROR, tc: false, addresses: ['198.18.2.10'] });
    expect(fake.seen).toHaveLength(2);
  });

  it('relays a truncated UDP answer truncated, and the client gets it whole over TCP', async () => {
    fake.behave = (q, transport) => [transport === 'udp' ? fakeAnswer(q, FAKE_ADDRESS, { tc: true, count: 0 }) : fakeAnswer(q, FAKE_ADDRESS, { count: 40 })];
    const s = await serve();
    const udp = await udpAsk(s.port, query('big.example.com', 5));
    expect(udp.reply).toMatchObject({ id: 5, tc: true, addresses: [] });
    const tcp = await tcpAsk(s.port, query('big.example.com', 6));
    expect(tcp?.addresses).toHaveLength(40);
    expect(tcp?.tc).toBe(false);
    // An upstream answer bigger than the client's UDP limit (no EDNS: 512 bytes) is cut to
    // the question with TC set rather than sent whole.
    fake.behave = (q) => [fakeAnswer(q, FAKE_ADDRESS, { count: 40 })];
    const cut = await udpAsk(s.port, query('big.example.com', 7));
    expect(cut.reply).toMatchObject({ id: 7, tc: true, addresses: [] });
    const edns = await udpAsk(s.port, query('big.example.com', 8, { edns: 4096 }));
    expect(edns.reply?.addresses).toHaveLength(40);
  });

  it('SERVFAIL within the timeout when the upstream does not answer', async () => {
    fake.behave = () => [];
    const s = await serve({ timeoutMs: 600 });
    const r = await udpAsk(s.port, query('slow.example.com', 77));
    expect(r.reply).toEqual({ id: 77, rcode: RCODE_SERVFAIL, tc: false, addresses: [] });
    expect(r.ms).toBeGreaterThanOrEqual(500);
    expect(r.ms).toBeLessThan(2000);
    const t = await tcpAsk(s.port, query('slow.example.com', 78));
    expect(t).toMatchObject({ id: 78, rcode: RCODE_SERVFAIL });
    expect(s.forwarder?.inFlight).toBe(0);
  });

  it('fails over to the next upstream when the first refuses or is silent', async () => {
    // A UDP port on loopback that nobody listens on answers with ICMP port unreachable.
    const closed = createSocket('udp4');
    await new Promise<void>((r) => closed.bind(0, '127.0.0.1', () => r()));
    const deadPort = closed.address().port;
    await new Promise<void>((r) => closed.close(() => r()));
    const s = await serve({ upstreams: [`127.0.0.1:${deadPort}`, fake.spec], timeoutMs: 2000 });
    const r = await udpAsk(s.port, query('second.example.com', 3));
    expect(r.reply).toMatchObject({ id: 3, rcode: RCODE_NOERROR, addresses: [FAKE_ADDRESS] });
    expect(r.ms).toBeLessThan(1500);
  });

  it('caps the queries forwarded at once: beyond the cap, SERVFAIL at once', async () => {
    fake.behave = () => [];
    const s = await serve({ timeoutMs: 1500, maxInFlight: 3 });
    const asks = Array.from({ length: 8 }, (_, i) => udpAsk(s.port, query(`n${i}.example.com`, 100 + i)));
    // Sent in one burst: the first three are in flight, the rest are refused service.
    await new Promise((r) => setTimeout(r, 300));
    expect(s.forwarder?.inFlight).toBe(3);
    const results = await Promise.all(asks);
    expect(results.every((r) => r.reply?.rcode === RCODE_SERVFAIL)).toBe(true);
    const fast = results.filter((r) => r.ms < 700);
    const slow = results.filter((r) => r.ms >= 1300);
    expect(fast).toHaveLength(5);
    expect(slow).toHaveLength(3);
    expect(results.map((r) => r.reply?.id).sort()).toEqual(Array.from({ length: 8 }, (_, i) => 100 + i));
    expect(fake.seen).toHaveLength(3);
    expect(s.forwarder?.inFlight).toBe(0);
  });

  it('ignores malformed and mismatched upstream replies without crashing; a good one after them is relayed', async () => {
    const garbage = (q: Buffer): Buffer[] => {
      const wrongId = fakeAnswer(q);
      wrongId.writeUInt16BE((q.readUInt16BE(0) + 1) & 0xffff, 0);
      const notResponse = Buffer.from(q);
      const otherQuestion = fakeAnswer(query('evil.example.net', q.readUInt16BE(0)));
      const cutQuestion = fakeAnswer(q).subarray(0, 15);
      const random = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
      return [Buffer.alloc(0), random, Buffer.alloc(11), wrongId, notResponse, otherQuestion, cutQuestion];
    };
    fake.behave = (q) => garbage(q);
    const s = await serve({ timeoutMs: 600 });
    const bad = await udpAsk(s.port, query('junk.example.com', 21));
    expect(bad.reply).toMatchObject({ id: 21, rcode: RCODE_SERVFAIL });
    const badTcp = await tcpAsk(s.port, query('junk.example.com', 22));
    expect(badTcp).toMatchObject({ id: 22, rcode: RCODE_SERVFAIL });
    fake.behave = (q) => [...garbage(q), fakeAnswer(q, '192.0.2.66')];
    const good = await udpAsk(s.port, query('junk.example.com', 23));
    expect(good.reply).toEqual({ id: 23, rcode: RCODE_NOERROR, tc: false, addresses: ['192.0.2.66'] });
    // Still serving.
    expect((await udpAsk(s.port, query('web.default.svc.cluster.local', 24))).reply?.addresses).toEqual(['198.18.2.10']);
  });

  it('without upstreams, names outside the domain are REFUSED as before', async () => {
    server = await startDnsServer({ address: '127.0.0.1', port: 0, domain: DOMAIN, records, logger: quiet, forward: { upstreams: [] } });
    expect((await udpAsk(server.port, query('www.example.com', 1))).reply?.rcode).toBe(RCODE_REFUSED);
    expect(fake.seen).toHaveLength(0);
  });

  it('close() ends the forwards in progress at once', async () => {
    fake.behave = () => [];
    const s = await serve({ timeoutMs: 5000 });
    const pending = udpAsk(s.port, query('hang.example.com', 31), 3000);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.forwarder?.inFlight).toBe(1);
    const started = Date.now();
    await s.close();
    server = undefined;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(s.forwarder?.inFlight).toBe(0);
    await pending;
  });
});
