// Keeping the client's address for the backend: a PROXY protocol v1 header, or an
// X-Forwarded-For header added to the first HTTP request of the connection.
import { Transform, type TransformCallback } from 'node:stream';

/** "::ffff:1.2.3.4" → "1.2.3.4". */
export function plainIP(ip: string | undefined): string {
  if (!ip) return '';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** The PROXY protocol v1 line (haproxy's proxy-protocol.txt, section 2.1). */
export function proxyProtocolV1(src: string, srcPort: number, dst: string, dstPort: number): string {
  const s = plainIP(src);
  const d = plainIP(dst);
  const v4 = s.includes('.') && d.includes('.');
  const v6 = s.includes(':') && d.includes(':');
  if (!(v4 || v6) || !srcPort || !dstPort) return 'PROXY UNKNOWN\r\n';
  return `PROXY ${v4 ? 'TCP4' : 'TCP6'} ${s} ${d} ${srcPort} ${dstPort}\r\n`;
}

/** The request head is looked for in the first this many bytes; beyond, data passes as is. */
const MAX_HEAD = 16 * 1024;
const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/;
/** What the start of a request line can look like before its CRLF has arrived. */
const REQUEST_LINE_START = /^[A-Z]*$|^[A-Z]+ \S*$|^[A-Z]+ \S+ [A-Z0-9/.]{0,8}\r?$/;
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * Adds `X-Forwarded-For: <client>` to the first HTTP/1.x request on the connection (or appends
 * the client to an X-Forwarded-For it already carries). Later requests of a keep-alive
 * connection pass unchanged (documented limitation: the proxy works on TCP streams and does not
 * parse HTTP framing). Data that is not an HTTP/1.x request head passes unchanged.
 */
export class ForwardedForInjector extends Transform {
  private head: Buffer[] = [];
  private headBytes = 0;
  private done = false;

  constructor(private readonly clientIP: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.done) {
      cb(null, chunk);
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    const buf = Buffer.concat(this.head);
    const end = buf.indexOf(HEAD_END);
    if (end >= 0) {
      this.done = true;
      this.head = [];
      cb(null, this.rewrite(buf, end));
      return;
    }
    // Not HTTP/1.x (another protocol, or TLS): pass everything through from the first bytes, so
    // a protocol whose client speaks first in small messages is not held up.
    const crlf = buf.indexOf('\r\n');
    const start = buf.subarray(0, crlf >= 0 ? crlf + 2 : 64).toString('latin1');
    const http = crlf >= 0 ? REQUEST_LINE.test(start) : REQUEST_LINE_START.test(start) && buf.length <= 64;
    if (!http || this.headBytes > MAX_HEAD) {
      this.done = true;
      this.head = [];
      cb(null, buf);
      return;
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.head.length > 0) this.push(Buffer.concat(this.head));
    this.head = [];
    cb();
  }

  private rewrite(buf: Buffer, end: number): Buffer {
    const headText = buf.subarray(0, end + 2).toString('latin1');
    if (!REQUEST_LINE.test(headText)) return buf;
    const lines = headText.split('\r\n');
    const i = lines.findIndex((l, n) => n > 0 && /^x-forwarded-for\s*:/i.test(l));
    if (i > 0) lines[i] = `${lines[i]!.replace(/\s+$/, '')}, ${this.clientIP}`;
    else lines.splice(lines.length - 1, 0, `X-Forwarded-For: ${this.clientIP}`);
    return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), buf.subarray(end + 2)]);
  }
}
