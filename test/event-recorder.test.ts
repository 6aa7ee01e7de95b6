// The shared EventRecorder (aggregation, bounded cache, conflicts) against a fake client that
// records actions; then the event TTL controller against a real API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../lib/errors.js';
import { EventRecorder, defaultEventName, involvedObjectOf, type EventClient } from '../lib/event-recorder.js';
import type { Event__Output } from '../lib/gen/shoal/v1/Event.js';
import type { KubeObject } from '../lib/kinds.js';
import { startControllers, type ControllersHandle } from '../services/controllers/index.js';
import { eventually, startTestCluster, TEST_TOKEN, type TestCluster } from './harness.js';

interface Action {
  verb: 'get' | 'create' | 'update';
  key: string;
  object?: KubeObject;
}

/** An in-memory Event store with resourceVersions, recording every call. */
class FakeClient implements EventClient {
  readonly objects = new Map<string, KubeObject>();
  readonly actions: Action[] = [];
  private rv = 0;
  /** Fail the next N updates with a conflict (as if another writer came first). */
  conflicts = 0;

  private keyOf(obj: KubeObject): string {
    return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
  }

  get(_kind: string, namespace: string, name: string): Promise<KubeObject> {
    const key = `${namespace}/${name}`;
    this.actions.push({ verb: 'get', key });
    const obj = this.objects.get(key);
    return obj ? Promise.resolve(structuredClone(obj)) : Promise.reject(new NotFoundError(`${key} not found`));
  }

  create(obj: KubeObject): Promise<KubeObject> {
    const key = this.keyOf(obj);
    this.actions.push({ verb: 'create', key, object: structuredClone(obj) });
    if (this.objects.has(key)) return Promise.reject(new AlreadyExistsError(`${key} exists`));
    const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, uid: `uid-${key}`, resourceVersion: String(++this.rv) } };
    this.objects.set(key, stored);
    return Promise.resolve(structuredClone(stored));
  }

  update(obj: KubeObject): Promise<KubeObject> {
    const key = this.keyOf(obj);
    this.actions.push({ verb: 'update', key, object: structuredClone(obj) });
    const cur = this.objects.get(key);
    if (!cur) return Promise.reject(new NotFoundError(`${key} not found`));
    if (this.conflicts > 0) {
      this.conflicts--;
      cur.metadata = { ...cur.metadata, resourceVersion: String(++this.rv) };
      return Promise.reject(new ConflictError('stale'));
    }
    if (cur.metadata?.resourceVersion !== obj.metadata?.resourceVersion) return Promise.reject(new ConflictError('stale'));
    const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    this.objects.set(key, stored);
    return Promise.resolve(structuredClone(stored));
  }
}

const T0 = Date.parse('2024-05-01T10:00:00Z');

function deployment(name: string, uid = `uid-${name}`): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'web', uid, resourceVersion: '7' } };
}

describe('EventRecorder', () => {
  it('creates one Event per object, reason and message, then counts repeats on it', async () => {
    const client = new FakeClient();
    let now = T0;
    const rec = new EventRecorder(client, { component: 'deployment-controller', now: () => now });
    const d = deployment('api');
    expect(await rec.record(d, 'Normal', 'ScalingReplicaSet', 'Scaled up replica set api-1 to 3')).toBeUndefined();
    now += 5000;
    expect(await rec.record(d, 'Normal', 'ScalingReplicaSet', 'Scaled up replica set api-1 to 3')).toBeUndefined();
    expect(client.actions.map((a) => a.verb)).toEqual(['create', 'update']);
    const name = defaultEventName(involvedObjectOf(d), 'Normal', 'ScalingReplicaSet', 'Scaled up replica set api-1 to 3');
    const ev = client.objects.get(`web/${name}`) as Event__Output;
    expect(ev).toMatchObject({
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'api', uid: 'uid-api' },
      reason: 'ScalingReplicaSet',
      type: 'Normal',
      count: 2,
      firstTimestamp: '2024-05-01T10:00:00Z',
      lastTimestamp: '2024-05-01T10:00:05Z',
      source: { component: 'deployment-controller' },
    });
    // Another message is another Event.
    await rec.record(d, 'Normal', 'ScalingReplicaSet', 'Scaled down replica set api-1 to 2');
    expect(client.objects.size).toBe(2);
  });

  it('puts events about cluster-scoped objects in "default" and keeps the host', async () => {
    const client = new FakeClient();
    const rec = new EventRecorder(client, { component: 'node-controller', host: 'cm-1', now: () => T0 });
    await rec.record({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2', uid: 'u-n2' } }, 'Normal', 'NodeNotReady', 'Node n2 not ready');
    const [ev] = [...client.objects.values()] as Event__Output[];
    expect(ev?.metadata?.namespace).toBe('default');
    expect(ev?.involvedObject).toMatchObject({ kind: 'Node', name: 'n2', namespace: '' });
    expect(ev?.source).toEqual({ component: 'node-controller', host: 'cm-1' });
  });

  it('serialises concurrent repeats of one event, so none is lost to a conflict', async () => {
    const client = new FakeClient();
    const rec = new EventRecorder(client, { component: 'c', now: () => T0 });
    const d = deployment('api');
    const results = await Promise.all(Array.from({ length: 10 }, () => rec.record(d, 'Warning', 'Failed', 'boom')));
    expect(results.every((r) => r === undefined)).toBe(true);
    const [ev] = [...client.objects.values()] as Event__Output[];
    expect(ev?.count).toBe(10);
    expect(rec.pendingWrites).toBe(0);
  });

  it('re-reads after a conflict and starts a new series for a recreated object (new uid)', async () => {
    const client = new FakeClient();
    const rec = new EventRecorder(client, {
      component: 'c',
      now: () => T0,
      // Aggregate by name and reason only (as the scheduler does), so the uid check matters.
      eventName: (ref, _t, reason) => `${ref.name}.${reason.toLowerCase()}`,
    });
    await rec.record(deployment('api', 'u1'), 'Warning', 'Failed', 'one');
    client.conflicts = 1;
    expect(await rec.record(deployment('api', 'u1'), 'Warning', 'Failed', 'two')).toBeUndefined();
    expect(client.actions.map((a) => a.verb)).toEqual(['create', 'update', 'get', 'update']);
    expect(client.objects.get('web/api.failed')).toMatchObject({ count: 2, message: 'two' });
    await rec.record(deployment('api', 'u2'), 'Warning', 'Failed', 'three');
    expect(client.objects.get('web/api.failed')).toMatchObject({ count: 1, message: 'three', involvedObject: { uid: 'u2' } });
  });

  it('recreates an Event that expired (deleted) since it was last written', async () => {
    const client = new FakeClient();
    const rec = new EventRecorder(client, { component: 'c', now: () => T0 });
    const d = deployment('api');
    await rec.record(d, 'Normal', 'X', 'y');
    client.objects.clear();
    expect(await rec.record(d, 'Normal', 'X', 'y')).toBeUndefined();
    expect(client.actions.map((a) => a.verb)).toEqual(['create', 'update', 'create']);
    expect([...client.objects.values()][0]).toMatchObject({ count: 1 });
  });

  it('bounds its cache (least recently used out) and its pending writes', async () => {
    const client = new FakeClient();
    const rec = new EventRecorder(client, { component: 'c', now: () => T0, maxCached: 3, maxPending: 2 });
    for (let i = 0; i < 5; i++) await rec.record(deployment(`d${i}`), 'Normal', 'X', 'y');
    expect(rec.cachedEvents).toBe(3);
    // d0 was forgotten: a repeat tries create, finds it exists, re-reads, updates.
    client.actions.length = 0;
    await rec.record(deployment('d0'), 'Normal', 'X', 'y');
    expect(client.actions.map((a) => a.verb)).toEqual(['create', 'get', 'update']);
    const burst = [rec.record(deployment('a'), 'Normal', 'X', 'y'), rec.record(deployment('b'), 'Normal', 'X', 'y'), rec.record(deployment('c'), 'Normal', 'X', 'y')];
    const results = await Promise.all(burst);
    expect(results[2]?.message).toMatch(/dropped/);
    await rec.flush();
    expect(rec.pendingWrites).toBe(0);
  });
});

describe('event TTL (real API server)', () => {
  let cluster: TestCluster;
  let controllers: ControllersHandle;

  beforeAll(async () => {
    cluster = await startTestCluster();
    controllers = await startControllers({
      server: cluster.api.address,
      token: TEST_TOKEN,
      natsUrl: cluster.nats.url,
      leaderElection: false,
      controllers: ['event-ttl'],
      eventTtlMs: 3000,
      logger: { info: () => {}, warn: () => {}, error: (m) => console.error(m) },
    });
    await controllers.ready;
  });

  afterAll(async () => {
    await controllers?.stop();
    await cluster?.stop();
  });

  it('deletes an event once its last occurrence is older than the TTL, and a repeat keeps it', async () => {
    const rec = new EventRecorder(cluster.client, { component: 'test' });
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u-p' } };
    const old = new Date(Date.now() - 10_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // An event whose last occurrence is already past the TTL goes at once.
    await cluster.client.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'stale', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      reason: 'Old',
      message: 'long ago',
      type: 'Normal',
      count: 1,
      firstTimestamp: old,
      lastTimestamp: old,
    });
    expect(await rec.record(pod, 'Normal', 'Fresh', 'now')).toBeUndefined();
    const names = async (): Promise<string[]> => (await cluster.client.list('Event', { namespace: 'default' })).items.map((e) => e.metadata?.name ?? '');
    await eventually(async () => !(await names()).includes('stale'), 'the stale event to be deleted', 5000);
    const fresh = (await names()).find((n) => n.startsWith('p.'));
    expect(fresh).toBeDefined();
    // Repeats keep it alive past its first TTL...
    const started = Date.now();
    while (Date.now() - started < 4000) {
      await new Promise((r) => setTimeout(r, 1000));
      expect(await rec.record(pod, 'Normal', 'Fresh', 'now')).toBeUndefined();
    }
    expect(await names()).toContain(fresh);
    // ...and once they stop, it expires.
    await eventually(async () => !(await names()).includes(fresh!), 'the fresh event to expire', 8000);
  });
});
