// The Endpoints controller: computeSubsets as a pure function, then the controller run by a
// ControllerManager against a real API server and NATS, with pods whose readiness the test
// sets through updateStatus (no nodes needed).
import { connect, type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryOnConflict, type ShoalClient } from '../lib/client.js';
import { NotFoundError } from '../lib/errors.js';
import { computeSubsets, endpointsController, type EndpointsObject, type ServiceObject } from '../services/controllers/endpoints.js';
import { ControllerManager } from '../services/controllers/framework.js';
import type { PodObject } from '../services/controllers/rollout.js';
import { eventually, startTestCluster, type TestCluster } from './harness.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const NS = 'default';

function pod(name: string, ip: string, ready: boolean, opts: { labels?: Record<string, string>; ports?: { name: string; containerPort: number }[]; deleting?: boolean } = {}): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, uid: `uid-${name}`, labels: opts.labels ?? { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x', ports: opts.ports ?? [] }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

function svc(ports: Record<string, unknown>[], extra: Record<string, unknown> = {}): ServiceObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { selector: { app: 'web' }, ports, ...extra } };
}

describe('computeSubsets', () => {
  it('splits ready and not-ready pods, skips pods without IP and terminating pods', () => {
    const s = computeSubsets(svc([{ port: 80, targetPort: { intVal: 8080 }, protocol: 'TCP' }]), [
      pod('b', '10.0.0.2', true),
      pod('a', '10.0.0.1', true),
      pod('c', '10.0.0.3', false),
      pod('d', '', true),
      pod('e', '10.0.0.5', true, { deleting: true }),
    ]);
    expect(s).toEqual([
      {
        ports: [{ port: 8080, protocol: 'TCP' }],
        addresses: [
          { ip: '10.0.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: NS, name: 'a', uid: 'uid-a' } },
          { ip: '10.0.0.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: NS, name: 'b', uid: 'uid-b' } },
        ],
        notReadyAddresses: [{ ip: '10.0.0.3', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: NS, name: 'c', uid: 'uid-c' } }],
      },
    ]);
  });

  it('resolves named target ports per pod and groups pods by their port set', () => {
    const service = svc([
      { name: 'http', port: 80, targetPort: { strVal: 'web' }, protocol: 'TCP' },
      { name: 'metrics', port: 9090, targetPort: { intVal: 9090 }, protocol: 'TCP' },
    ]);
    const s = computeSubsets(service, [
      pod('a', '10.0.0.1', true, { ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('b', '10.0.0.2', true, { ports: [{ name: 'web', containerPort: 8081 }] }),
      pod('c', '10.0.0.3', true),
    ]);
    expect(s.map((x) => ({ ports: x.ports, ips: x.addresses?.map((a) => a.ip) }))).toEqual([
      { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }], ips: ['10.0.0.1'] },
      { ports: [{ name: 'http', port: 8081, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }], ips: ['10.0.0.2'] },
      { ports: [{ name: 'metrics', port: 9090, protocol: 'TCP' }], ips: ['10.0.0.3'] },
    ]);
  });

  it('publishNotReadyAddresses lists not-ready pods as addresses', () => {
    const s = computeSubsets(svc([{ port: 80, targetPort: { intVal: 80 }, protocol: 'TCP' }], { publishNotReadyAddresses: true }), [
      pod('a', '10.0.0.1', false),
    ]);
    expect(s[0]?.addresses?.map((a) => a.ip)).toEqual(['10.0.0.1']);
    expect(s[0]?.notReadyAddresses).toBeUndefined();
  });
});

describe('Endpoints controller', () => {
  let cluster: TestCluster;
  let client: ShoalClient;
  let nc: NatsConnection;
  let ac: AbortController;
  let running: Promise<void>;

  beforeAll(async () => {
    cluster = await startTestCluster();
    client = cluster.client;
    nc = await connect({ servers: cluster.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const manager = new ControllerManager({ client, nc, metrics: new Registry(), logger: quiet });
    manager.add(endpointsController);
    ac = new AbortController();
    running = manager.run(ac.signal);
    await manager.synced;
  });
  afterAll(async () => {
    ac?.abort();
    await running;
    await nc?.close();
    await cluster?.stop();
  });

  async function makePod(name: string, labels: Record<string, string>, ports: { name: string; containerPort: number }[] = [], nodeName?: string): Promise<void> {
    await client.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS, labels },
      spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox', ports }] },
    });
  }

  async function setStatus(name: string, ip: string, ready: boolean): Promise<void> {
    await retryOnConflict(async () => {
      const p = await client.get('Pod', NS, name);
      await client.updateStatus({
        ...p,
        status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] },
      });
    });
  }

  async function endpoints(name: string): Promise<EndpointsObject | undefined> {
    try {
      return (await client.get('Endpoints', NS, name));
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** "ready:ip,ip|notready:ip" of the first subset (or "" without subsets). */
  async function summary(name: string): Promise<string> {
    const ep = await endpoints(name);
    return (ep?.subsets ?? [])
      .map((s) => `ready:${(s.addresses ?? []).map((a) => a.ip).join(',')}|notready:${(s.notReadyAddresses ?? []).map((a) => a.ip).join(',')}`)
      .join(';');
  }

  async function waitFor(name: string, want: string, what: string): Promise<void> {
    let last = '';
    await eventually(async () => (last = await summary(name)) === want, `${what} (last: ${last})`, 10_000);
  }

  it('follows readiness, and a terminating pod leaves at once', async () => {
    await client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ready', namespace: NS }, spec: { selector: { app: 'ready' }, ports: [{ port: 80, targetPort: { intVal: 8080 } }] } });
    await eventually(async () => (await endpoints('ready')) !== undefined, 'an empty Endpoints');
    expect((await endpoints('ready'))?.subsets ?? []).toEqual([]);

    await makePod('ready-1', { app: 'ready' }, [], 'ghost-node');
    await makePod('ready-2', { app: 'ready' }, [], 'ghost-node');
    await makePod('other', { app: 'other' });
    await setStatus('ready-1', '10.1.0.1', false);
    await setStatus('ready-2', '10.1.0.2', false);
    await setStatus('other', '10.1.0.9', true);
    await waitFor('ready', 'ready:|notready:10.1.0.1,10.1.0.2', 'two not-ready addresses');
    await setStatus('ready-1', '10.1.0.1', true);
    await waitFor('ready', 'ready:10.1.0.1|notready:10.1.0.2', 'one ready');
    await setStatus('ready-2', '10.1.0.2', true);
    await waitFor('ready', 'ready:10.1.0.1,10.1.0.2|notready:', 'two ready');
    const ep = await endpoints('ready');
    expect(ep?.subsets?.[0]?.ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    expect(ep?.subsets?.[0]?.addresses?.[0]).toMatchObject({ nodeName: 'ghost-node', targetRef: { kind: 'Pod', name: 'ready-1' } });

    // A graceful delete (the pod is on a node) keeps the pod, with a deletionTimestamp.
    await client.delete('Pod', NS, 'ready-1');
    expect((await client.get('Pod', NS, 'ready-1')).metadata?.deletionTimestamp).toBeTruthy();
    await waitFor('ready', 'ready:10.1.0.2|notready:', 'the terminating pod gone');

    // Relabelling a pod out of the selector removes it.
    await retryOnConflict(async () => {
      const p = await client.get('Pod', NS, 'ready-2');
      await client.update({ ...p, metadata: { ...p.metadata, labels: { app: 'elsewhere' } } });
    });
    await waitFor('ready', '', 'no addresses');
    const rv = (await endpoints('ready'))?.metadata?.resourceVersion;

    // Writes only when changed: an unrelated pod update leaves it alone.
    await setStatus('other', '10.1.0.9', false);
    await new Promise((r) => setTimeout(r, 300));
    expect((await endpoints('ready'))?.metadata?.resourceVersion).toBe(rv);

    await client.delete('Pod', NS, 'ready-1', { gracePeriodSeconds: 0 });
  });

  it('resolves a named targetPort and honours publishNotReadyAddresses', async () => {
    await client.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'named', namespace: NS },
      spec: { selector: { app: 'named' }, publishNotReadyAddresses: true, ports: [{ name: 'http', port: 80, targetPort: { strVal: 'web' } }] },
    });
    await makePod('named-1', { app: 'named' }, [{ name: 'web', containerPort: 8080 }]);
    await makePod('named-2', { app: 'named' });
    await setStatus('named-1', '10.2.0.1', false);
    await setStatus('named-2', '10.2.0.2', true);
    await waitFor('named', 'ready:10.2.0.1|notready:', 'the not-ready pod published, the pod without the port left out');
    expect((await endpoints('named'))?.subsets?.[0]?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  it('leaves selector-less Endpoints alone and removes its own with the Service', async () => {
    await client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual', namespace: NS }, spec: { ports: [{ port: 80 }] } });
    await client.create({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'manual', namespace: NS },
      subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80 }] }],
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await summary('manual')).toBe('ready:192.0.2.1|notready:');

    await client.delete('Service', NS, 'named');
    await eventually(async () => (await endpoints('named')) === undefined, 'the Endpoints deleted with its Service');
    await client.delete('Service', NS, 'manual');
    await new Promise((r) => setTimeout(r, 300));
    expect(await endpoints('manual')).toBeDefined();
  });
});
