// Service allocation in the API server: cluster IPs from the service CIDR, node ports from the
// node port range, conflicts and out-of-range values rejected, release on delete, carry-over
// on update and apply, type changes, and state rebuilt from the store after a restart.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShoalClient } from '../lib/client.js';
import { InvalidError } from '../lib/errors.js';
import type { ServiceSpec__Output } from '../lib/gen/shoal/v1/ServiceSpec.js';
import type { KubeObject } from '../lib/kinds.js';
import { ClusterIPAllocator, NodePortAllocator, ServiceAllocations } from '../services/api/allocators.js';
import { startApiServer } from '../services/api/server.js';
import { createDriver } from '../services/node-agent/drivers/index.js';
import { serviceEnv } from '../services/node-agent/env.js';
import { startNodeAgent } from '../services/node-agent/index.js';
import { eventually, startTestCluster, tempDir, TEST_TOKEN, type TestCluster } from './harness.js';

const SEED = '/work/shared/manifests/seed';

function service(name: string, spec: Record<string, unknown>, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ port: 80 }], selector: { app: name }, ...spec } };
}

function specOf(obj: KubeObject): ServiceSpec__Output {
  return obj.spec ?? {};
}

async function invalid(p: Promise<unknown>): Promise<InvalidError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidError);
    return err as InvalidError;
  }
  throw new Error('expected an InvalidError');
}

describe('allocators', () => {
  it('hands out the CIDR without network, broadcast and the first address', () => {
    const a = new ClusterIPAllocator('10.0.0.0/29');
    const got: string[] = [];
    for (let ip = a.allocateNext(); ip !== undefined; ip = a.allocateNext()) got.push(ip);
    expect(got).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    expect(a.allocate('10.0.0.1')).toMatch(/not in the valid range/);
    expect(a.allocate('10.0.0.7')).toMatch(/not in the valid range/);
    expect(a.allocate('10.0.0.4')).toBe('provided IP is already allocated');
    a.release('10.0.0.4');
    expect(a.allocateNext()).toBe('10.0.0.4');
  });

  it('hands out node ports from the range', () => {
    const p = new NodePortAllocator('30000-30002');
    expect([p.allocateNext(), p.allocateNext(), p.allocateNext(), p.allocateNext()]).toEqual([30000, 30001, 30002, undefined]);
    expect(p.allocate(29999)).toBe('provided port is not in the valid range. The range of valid ports is 30000-30002');
    expect(() => new NodePortAllocator('5-1')).toThrow();
    expect(() => new ServiceAllocations({ serviceCIDR: '10.0.0.0' })).toThrow();
  });
});

describe('Service allocation', () => {
  let cluster: TestCluster;
  let client: ShoalClient;
  beforeAll(async () => {
    cluster = await startTestCluster({ serviceCIDR: '10.100.0.0/24', nodePortRange: '31000-31099' });
    client = cluster.client;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('gives 50 concurrent creates 50 different cluster IPs and node ports', async () => {
    const created = await Promise.all(
      Array.from({ length: 50 }, (_, i) => client.create(service(`c${i}`, { type: i % 2 ? 'NodePort' : 'LoadBalancer' }))),
    );
    const ips = created.map((s) => specOf(s).clusterIP);
    const ports = created.map((s) => specOf(s).ports?.[0]?.nodePort);
    expect(new Set(ips).size).toBe(50);
    expect(new Set(ports).size).toBe(50);
    for (const s of created) {
      const spec = specOf(s);
      expect(spec.clusterIP).toMatch(/^10\.100\.0\.\d+$/);
      expect(spec.clusterIPs).toEqual([spec.clusterIP]);
      expect(spec.ports?.[0]?.nodePort).toBeGreaterThanOrEqual(31000);
      expect(spec.ports?.[0]?.nodePort).toBeLessThanOrEqual(31099);
    }
    await Promise.all(created.map((s) => client.delete('Service', 'default', s.metadata?.name ?? '')));
  });

  it('honours a requested cluster IP and node port, and rejects conflicts and out-of-range values', async () => {
    const a = await client.create(service('req-a', { type: 'NodePort', clusterIP: '10.100.0.200', ports: [{ port: 80, nodePort: 31050 }] }));
    expect(specOf(a).clusterIP).toBe('10.100.0.200');
    expect(specOf(a).ports?.[0]?.nodePort).toBe(31050);

    const ipTaken = await invalid(client.create(service('req-b', { clusterIP: '10.100.0.200' })));
    expect(ipTaken.violations).toEqual([{ field: 'spec.clusterIP', message: 'Invalid value: "10.100.0.200": provided IP is already allocated' }]);
    const ipOut = await invalid(client.create(service('req-b', { clusterIP: '10.96.0.10' })));
    expect(ipOut.message).toContain('spec.clusterIP: Invalid value: "10.96.0.10": provided IP is not in the valid range. The range of valid IPs is 10.100.0.0/24');

    const portTaken = await invalid(client.create(service('req-b', { type: 'NodePort', ports: [{ port: 80, nodePort: 31050 }] })));
    expect(portTaken.message).toContain('spec.ports[0].nodePort: Invalid value: 31050: provided port is already allocated');
    const portOut = await invalid(client.create(service('req-b', { type: 'NodePort', ports: [{ port: 80, nodePort: 70000 }] })));
    expect(portOut.message).toContain(
      'spec.ports[0].nodePort: Invalid value: 70000: provided port is not in the valid range. The range of valid ports is 31000-31099',
    );
    // A rejected create holds nothing: its automatic IP went back too.
    await expect(client.get('Service', 'default', 'req-b')).rejects.toThrow(/not found/);

    // Delete frees both: they can be asked for again at once.
    await client.delete('Service', 'default', 'req-a');
    const again = await client.create(service('req-c', { type: 'NodePort', clusterIP: '10.100.0.200', ports: [{ port: 80, nodePort: 31050 }] }));
    expect(specOf(again).ports?.[0]?.nodePort).toBe(31050);
    await client.delete('Service', 'default', 'req-c');
  });

  it('does not allocate for a headless service and forbids None for NodePort', async () => {
    const h = await client.create(service('headless', { clusterIP: 'None' }));
    expect(specOf(h).clusterIP).toBe('None');
    expect(specOf(h).clusterIPs).toEqual(['None']);
    const bad = await invalid(client.create(service('headless-np', { clusterIP: 'None', type: 'NodePort' })));
    expect(bad.message).toContain('spec.clusterIP');
    // An update that leaves clusterIP out stays headless.
    const { clusterIP: _c, clusterIPs: _cs, ...rest } = specOf(h);
    const updated = await client.update({ ...h, spec: { ...rest, selector: { app: 'other' } } });
    expect(specOf(updated).clusterIP).toBe('None');
    await client.delete('Service', 'default', 'headless');
  });

  it('keeps nodePort 30007 and the cluster IP over two applies of the seed manifest', async () => {
    const local = await startTestCluster();
    try {
      const manifest = await readFile(`${SEED}/nodeport-service.yaml`, 'utf8');
      const [first] = await local.client.apply(manifest);
      expect(first?.action).toBe('created');
      const spec = specOf(first!.object);
      expect(spec.ports?.[0]?.nodePort).toBe(30007);
      expect(spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\./);
      const [second] = await local.client.apply(manifest);
      expect(second?.action).toBe('unchanged');
      expect(specOf(second!.object).clusterIP).toBe(spec.clusterIP);
      expect(specOf(second!.object).ports?.[0]?.nodePort).toBe(30007);

      // Without a nodePort in the manifest, the allocated one is kept too.
      const lb = manifest.replace('name: my-service', 'name: auto-port').replace(/\n\s*nodePort: 30007/, '');
      const [made] = await local.client.apply(lb);
      const port = specOf(made!.object).ports?.[0]?.nodePort;
      expect(port).toBeGreaterThanOrEqual(30000);
      const [again] = await local.client.apply(lb);
      expect(again?.action).toBe('unchanged');
      expect(specOf(again!.object).ports?.[0]?.nodePort).toBe(port);
    } finally {
      await local.stop();
    }
  });

  it('an update that leaves clusterIP and nodePort out keeps them', async () => {
    const s = await client.create(service('keep', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] }));
    const before = specOf(s);
    const updated = await client.update({
      ...s,
      spec: { type: 'NodePort', selector: { app: 'keep' }, ports: [{ name: 'https', port: 443 }, { name: 'http', port: 8080 }] },
    });
    const after = specOf(updated);
    expect(after.clusterIP).toBe(before.clusterIP);
    // 443 matches by port and protocol, 8080 by name.
    expect(after.ports?.map((p) => p.nodePort)).toEqual([before.ports?.[1]?.nodePort, before.ports?.[0]?.nodePort]);
    const changed = await invalid(client.update({ ...updated, spec: { ...after, clusterIP: '10.100.0.250', clusterIPs: ['10.100.0.250'] } }));
    expect(changed.message).toContain('spec.clusterIP');
    await client.delete('Service', 'default', 'keep');
  });

  it('allocates on ClusterIP → NodePort and releases on NodePort → ClusterIP', async () => {
    const s = await client.create(service('switch', {}));
    expect(specOf(s).ports?.[0]?.nodePort ?? 0).toBe(0);
    const np = await client.update({ ...s, spec: { ...specOf(s), type: 'NodePort' } });
    const port = specOf(np).ports?.[0]?.nodePort ?? 0;
    expect(port).toBeGreaterThan(0);
    expect(cluster.api.registry.services.ports.isAllocated(port)).toBe(true);
    // The old node port is dropped with the type, as Kubernetes does, and freed.
    const back = await client.update({ ...np, spec: { ...specOf(np), type: 'ClusterIP', externalTrafficPolicy: undefined } });
    expect(specOf(back).ports?.[0]?.nodePort ?? 0).toBe(0);
    expect(specOf(back).clusterIP).toBe(specOf(s).clusterIP);
    expect(cluster.api.registry.services.ports.isAllocated(port)).toBe(false);
    // LoadBalancer without node port allocation gets none.
    const lb = await client.update({ ...back, spec: { ...specOf(back), type: 'LoadBalancer', allocateLoadBalancerNodePorts: false } });
    expect(specOf(lb).ports?.[0]?.nodePort ?? 0).toBe(0);
    await client.delete('Service', 'default', 'switch');
    expect(cluster.api.registry.services.ips.isAllocated(specOf(s).clusterIP ?? '')).toBe(false);
  });

  it('a dry-run create holds nothing', async () => {
    const dry = await client.create(service('dry', { type: 'NodePort', ports: [{ port: 80, nodePort: 31077 }] }), { dryRun: true });
    expect(specOf(dry).clusterIP).toBeTruthy();
    expect(cluster.api.registry.services.ports.isAllocated(31077)).toBe(false);
    expect(cluster.api.registry.services.ips.isAllocated(specOf(dry).clusterIP ?? '')).toBe(false);
  });
});

describe('Service allocation across a restart', () => {
  it('rebuilds the allocations from the stored Services', async () => {
    const { dir, cleanup } = await tempDir('shoal-svc-restart-');
    const config = {
      dataDir: dir,
      listen: '127.0.0.1:0',
      tokens: { [TEST_TOKEN]: { user: 'admin', groups: ['system:masters'] } },
      serviceCIDR: '10.200.0.0/28',
      nodePortRange: '32000-32009',
    };
    try {
      let api = await startApiServer(config);
      let client = new ShoalClient({ server: api.address, token: TEST_TOKEN });
      const before = await Promise.all(Array.from({ length: 5 }, (_, i) => client.create(service(`r${i}`, { type: 'NodePort' }))));
      client.close();
      await api.stop();

      api = await startApiServer(config);
      client = new ShoalClient({ server: api.address, token: TEST_TOKEN });
      try {
        const after = await Promise.all(Array.from({ length: 5 }, (_, i) => client.create(service(`s${i}`, { type: 'NodePort' }))));
        const ips = [...before, ...after].map((s) => specOf(s).clusterIP);
        const ports = [...before, ...after].map((s) => specOf(s).ports?.[0]?.nodePort);
        expect(new Set(ips).size).toBe(10);
        expect(new Set(ports).size).toBe(10);
        // The range (13 IPs, 10 ports) is now full of node ports.
        const full = await invalid(client.create(service('full', { type: 'NodePort' })));
        expect(full.message).toContain('no node port left');
        const taken = await invalid(client.create(service('dup', { clusterIP: specOf(before[0]!).clusterIP })));
        expect(taken.message).toContain('provided IP is already allocated');
      } finally {
        client.close();
        await api.stop();
      }
    } finally {
      await cleanup();
    }
  });
});

describe('discovery environment variables', () => {
  it('names every port the Kubernetes way and skips headless and ExternalName services', () => {
    const env = serviceEnv([
      { metadata: { name: 'app-service' }, spec: { clusterIP: '10.96.0.10', ports: [{ port: 80, protocol: 'TCP' }, { name: 'dns-udp', port: 53, protocol: 'UDP' }] } },
      { metadata: { name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
      { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
    ]);
    expect(env).toEqual({
      APP_SERVICE_SERVICE_HOST: '10.96.0.10',
      APP_SERVICE_SERVICE_PORT: '80',
      APP_SERVICE_SERVICE_PORT_DNS_UDP: '53',
      APP_SERVICE_PORT: 'tcp://10.96.0.10:80',
      APP_SERVICE_PORT_80_TCP: 'tcp://10.96.0.10:80',
      APP_SERVICE_PORT_80_TCP_PROTO: 'tcp',
      APP_SERVICE_PORT_80_TCP_PORT: '80',
      APP_SERVICE_PORT_80_TCP_ADDR: '10.96.0.10',
      APP_SERVICE_PORT_53_UDP: 'udp://10.96.0.10:53',
      APP_SERVICE_PORT_53_UDP_PROTO: 'udp',
      APP_SERVICE_PORT_53_UDP_PORT: '53',
      APP_SERVICE_PORT_53_UDP_ADDR: '10.96.0.10',
    });
  });

  it('a real pod sees the Services of its namespace, and its own env wins', async () => {
    const cluster = await startTestCluster();
    const { dir, cleanup } = await tempDir('shoal-svc-env-');
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const driver = createDriver('process', { node: 'env-node', dataDir: join(dir, 'agent'), ipamDir: join(dir, 'ipam'), internalIP: '127.0.0.1' });
    const agent = await startNodeAgent({
      nodeName: 'env-node',
      server: cluster.api.address,
      token: TEST_TOKEN,
      natsUrl: cluster.nats.url,
      driver,
      dataDir: join(dir, 'agent'),
      leaseIntervalMs: 300,
      logger: quiet,
    });
    try {
      await agent.ready;
      const [applied] = await cluster.client.apply(await readFile(`${SEED}/app-service.yaml`, 'utf8'));
      const ip = specOf(applied!.object).clusterIP;
      const run = async (name: string, env: { name: string; value: string }[]): Promise<string> => {
        await cluster.client.create({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: 'default' },
          spec: {
            nodeName: 'env-node',
            restartPolicy: 'Never',
            containers: [
              { name: 'main', image: 'shoal/busybox:1.36', command: ['sh', '-c', 'echo $APP_SERVICE_SERVICE_HOST:$APP_SERVICE_SERVICE_PORT $APP_SERVICE_PORT_80_TCP_ADDR'], env },
            ],
          },
        });
        let out = '';
        await eventually(
          async () => {
            const chunks: Buffer[] = [];
            try {
              for await (const c of cluster.client.logs('default', name)) chunks.push(c);
            } catch {
              return false;
            }
            out = Buffer.concat(chunks).toString('utf8');
            return out.includes('\n');
          },
          `the output of ${name}`,
          15_000,
        );
        return out.trim();
      };
      expect(await run('env-reader', [])).toBe(`${ip}:80 ${ip}`);
      expect(await run('env-override', [{ name: 'APP_SERVICE_SERVICE_PORT', value: '8080' }])).toBe(`${ip}:8080 ${ip}`);
    } finally {
      await agent.stop();
      const handles = await driver.recover().catch(() => []);
      for (const h of handles) {
        if (h.role === 'sandbox') continue;
        await driver.stopContainer(h.id, 0).catch(() => {});
        await driver.removeContainer(h.id).catch(() => {});
      }
      const uids = new Set(handles.map((h) => h.pod.uid));
      for (const h of handles) if (uids.delete(h.pod.uid)) await driver.removeSandbox(h.pod).catch(() => {});
      await driver.close();
      await cluster.stop();
      await cleanup();
    }
  });
});
