// A fake upstream DNS server on 127.0.0.1 (UDP and TCP on one port) for the forwarding tests:
// tests may send only to loopback or to what they created, so the cluster DNS under test is
// pointed here (`--dns-upstream 127.0.0.1:PORT`), never at the host's resolvers. What it
// answers is up to the test (`behave`); by default every A question gets FAKE_ADDRESS (from
// TEST-NET-1, never routed).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';

export const FAKE_ADDRESS = '192.0.2.55';

export interface SeenQuery {
  transport: 'udp' | 'tcp';
  /** The id the upstream saw (the forwarder's, not the client's). */
  id: number;
  name: string;
}

/** What the fake sends back for one query: messages (sent in order), or none. */
export type Behaviour = (query: Buffer, transport: 'udp' | 'tcp') => Buffer[];

export interface FakeUpstream {
  port: number;
  /** "127.0.0.1:PORT", for --dns-upstream. */
  spec: string;
  seen: SeenQuery[];
  behave: Behaviour;
  close(): Promise<void>;
}

/** The question's end (after name, type and class) in a query without compression; -1 if it
 * does not parse. */
export function questionEnd(msg: Buffer): number {
  let at = 12;
  for (let i = 0; i < 128 && at < msg.length; i++) {
    const len = msg[at]!;
    if (len === 0) return at + 5 <= msg.length ? at + 5 : -1;
    if (len & 0xc0) return -1;
    at += 1 + len;
  }
  return -1;
}

export function questionName(msg: Buffer): string {
  const labels: string[] = [];
  let at = 12;
  for (let i = 0; i < 128 && at < msg.length && msg[at] !== 0 && !(msg[at]! & 0xc0); i++) {
    labels.push(msg.toString('latin1', at + 1, at + 1 + msg[at]!));
    at += 1 + msg[at]!;
  }
  return labels.join('.');
}

/** An answer to `query`: its id and question, `count` A records of `ip`, TC when asked. */
export function fakeAnswer(query: Buffer, ip = FAKE_ADDRESS, opts: { tc?: boolean; count?: number; rcode?: number } = {}): Buffer {
  const end = questionEnd(query);
  const question = query.subarray(12, end < 0 ? 12 : end);
  const count = opts.count ?? 1;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8180 | (opts.tc ? 0x0200 : 0) | (opts.rcode ?? 0), 2);
  header.writeUInt16BE(end < 0 ? 0 : 1, 4);
  header.writeUInt16BE(count, 6);
  const answers = Array.from({ length: count }, () => {
    const rec = Buffer.alloc(16);
    rec.writeUInt16BE(0xc00c, 0);
    rec.writeUInt16BE(1, 2);
    rec.writeUInt16BE(1, 4);
    rec.writeUInt32BE(60, 6);
    rec.writeUInt16BE(4, 10);
    ip.split('.').forEach((o, i) => rec.writeUInt8(Number(o), 12 + i));
    return rec;
  });
  return Buffer.concat([header, question, ...answers]);
}

export async function startFakeUpstream(behave: Behaviour = (q) => [fakeAnswer(q)]): Promise<FakeUpstream> {
  // UDP and TCP on one port: bind UDP on a free one, then TCP on the same (a few tries, in
  // case that TCP port is taken).
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp: UdpSocket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => resolve());
    });
    const port = udp.address().port;
    const tcp: Server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!ok) {
      udp.close();
      continue;
    }
    const conns = new Set<Socket>();
    const fake: FakeUpstream = {
      port,
      spec: `127.0.0.1:${port}`,
      seen: [],
      behave,
      async close() {
        for (const c of conns) c.destroy();
        await new Promise<void>((r) => udp.close(() => r()));
        await new Promise<void>((r) => tcp.close(() => r()));
      },
    };
    const record = (q: Buffer, transport: 'udp' | 'tcp'): void => {
      if (q.length >= 12 && fake.seen.length < 1000) fake.seen.push({ transport, id: q.readUInt16BE(0), name: questionName(q) });
    };
    udp.on('message', (q: Buffer, rinfo) => {
      record(q, 'udp');
      for (const out of fake.behave(q, 'udp')) udp.send(out, rinfo.port, rinfo.address);
    });
    tcp.on('connection', (c: Socket) => {
      conns.add(c);
      c.on('close', () => conns.delete(c));
      c.on('error', () => undefined);
      let buf: Buffer = Buffer.alloc(0);
      c.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const q = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + q.length);
          record(q, 'tcp');
          for (const out of fake.behave(q, 'tcp')) c.write(Buffer.concat([Buffer.from([out.length >> 8, out.length & 0xff]), out]));
        }
      });
    });
    return fake;
  }
  throw new Error('no free port for the fake upstream');
}

/** A name in DNS wire form (length-prefixed labels, then 0). */
export function encodeName(name: string): Buffer {
  const parts = name === '' ? [] : name.split('.');
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])), Buffer.from([0])]);
}

/** A query for `name` (type A by default, RD set), built independently of the code under test. */
export function dnsQuery(name: string, type = 1, opts: { id?: number; flags?: number; edns?: number } = {}): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(opts.id ?? 0x1234, 0);
  header.writeUInt16BE(opts.flags ?? 0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(opts.edns !== undefined ? 1 : 0, 10);
  const q = Buffer.alloc(4);
  q.writeUInt16BE(type, 0);
  q.writeUInt16BE(1, 2);
  const parts = [header, encodeName(name), q];
  if (opts.edns !== undefined) {
    const opt = Buffer.alloc(11);
    opt.writeUInt16BE(41, 1);
    opt.writeUInt16BE(opts.edns, 3);
    parts.push(opt);
  }
  return Buffer.concat(parts);
}
