// The cluster DNS address is never a Service's cluster IP (services/api/allocators.ts): with
// `--cluster-dns` inside the service CIDR (as the README's 10.96.0.10 in 10.96.0.0/12), the
// allocator skips it however many Services are created, refuses a Service that asks for it,
// and warns about one that holds it from before. Here in a /28, small enough to use up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidError } from '../lib/errors.js';
import type { KubeObject } from '../lib/kinds.js';
import type { Service__Output } from '../lib/gen/shoal/v1/Service.js';
import { ShoalClient } from '../lib/client.js';
import { ClusterIPAllocator, ServiceAllocations } from '../services/api/allocators.js';
import { startApiServer, type ApiServer } from '../services/api/server.js';
import { TEST_TOKEN, tempDir } from './harness.js';

const CIDR = '198.18.4.0/28';
const DNS_IP = '198.18.4.10';

function svc(name: string, clusterIP?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { ports: [{ port: 80 }], ...(clusterIP ? { clusterIP } : {}) },
  };
}

function ipOf(obj: KubeObject): string {
  return (obj as Service__Output).spec?.clusterIP ?? '';
}

describe('the allocator keeps the cluster DNS address', () => {
  it('hands out every other address of the CIDR, never the DNS one, and then reports the range full', () => {
    const alloc = new ServiceAllocations({ serviceCIDR: CIDR, clusterDNS: DNS_IP });
    const got: string[] = [];
    // .2 to .14 are allocatable (network, .1 and broadcast never are): 13, less the DNS one.
    for (let i = 0; i < 20; i++) {
      const s = svc(`s${i}`);
      try {
        alloc.reserve(s).commit();
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidError);
        expect(JSON.stringify((err as InvalidError).violations)).toMatch(/no cluster IP left/);
        break;
      }
      got.push(ipOf(s));
    }
    expect(got).toHaveLength(12);
    expect(got).not.toContain(DNS_IP);
    expect(new Set(got).size).toBe(12);
    expect(alloc.ips.used).toBe(12);
    // Freed and allocated again, round and round: still never the DNS address.
    for (let round = 0; round < 30; round++) {
      const victim = got[round % got.length]!;
      alloc.release(svc('x', victim));
      const s = svc(`r${round}`);
      alloc.reserve(s).commit();
      expect(ipOf(s)).not.toBe(DNS_IP);
      got[round % got.length] = ipOf(s);
    }
  });

  it('refuses a Service that asks for the DNS address, naming why', () => {
    const alloc = new ServiceAllocations({ serviceCIDR: CIDR, clusterDNS: DNS_IP });
    let caught: unknown;
    try {
      alloc.reserve(svc('dns', DNS_IP));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidError);
    expect(JSON.stringify((caught as InvalidError).violations)).toMatch(/reserved for the cluster DNS/);
    // A neighbour may still be asked for.
    const near = svc('near', '198.18.4.11');
    alloc.reserve(near).commit();
    expect(ipOf(near)).toBe('198.18.4.11');
  });

  it('keeps a Service that held the address before it was reserved, with a warning; its deletion does not free it', () => {
    const alloc = new ServiceAllocations({ serviceCIDR: CIDR, clusterDNS: DNS_IP });
    const warnings = alloc.rebuild([svc('old', DNS_IP)]);
    expect(warnings.join('\n')).toMatch(/default\/old: cluster IP 198\.18\.4\.10 is reserved for the cluster DNS/);
    alloc.release(svc('old', DNS_IP));
    expect(alloc.ips.isAllocated(DNS_IP)).toBe(true);
    expect(alloc.ips.allocate(DNS_IP)).toMatch(/reserved/);
  });

  it('an address outside the CIDR, or none, reserves nothing', () => {
    const outside = new ClusterIPAllocator('198.18.4.0/29', new Map([['198.18.9.9', 'x']]));
    expect(outside.used).toBe(0);
    const picks = Array.from({ length: 5 }, () => outside.allocateNext());
    expect(picks).toEqual(['198.18.4.2', '198.18.4.3', '198.18.4.4', '198.18.4.5', '198.18.4.6']);
    expect(() => new ClusterIPAllocator('198.18.4.0/29', new Map([['nope', 'x']]))).toThrow(/invalid reserved/);
  });
});

describe('the API server with clusterDNS', () => {
  let api: ApiServer;
  let client: ShoalClient;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const tmp = await tempDir('shoal-dns-reserved-');
    cleanup = tmp.cleanup;
    api = await startApiServer({
      dataDir: tmp.dir,
      listen: '127.0.0.1:0',
      tokens: { [TEST_TOKEN]: { user: 'admin', groups: ['system:masters'] } },
      serviceCIDR: CIDR,
      clusterDNS: DNS_IP,
    });
    client = new ShoalClient({ server: api.address, token: TEST_TOKEN });
  });
  afterAll(async () => {
    client?.close();
    await api?.stop();
    await cleanup?.();
  });

  it('creating Services until the CIDR is full never yields the DNS address; asking for it is rejected', async () => {
    const ips: string[] = [];
    let full: unknown;
    for (let i = 0; i < 20 && full === undefined; i++) {
      try {
        ips.push(ipOf(await client.create(svc(`s${i}`))));
      } catch (err) {
        full = err;
      }
    }
    expect(ips).toHaveLength(12);
    expect(ips).not.toContain(DNS_IP);
    expect(String(full)).toMatch(/no cluster IP left/);
    await client.delete('Service', 'default', 's0');
    await expect(client.create(svc('dns', DNS_IP))).rejects.toThrow(/reserved for the cluster DNS/);
    expect(ipOf(await client.create(svc('again')))).toBe(ips[0]);
  });
});
