// The namespace controller's reconcile against a fake client and fake informers: the recheck
// of a terminating namespace backs off, and the deletion of the last pod requeues it at once.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../lib/kinds.js';
import type { WorkQueue } from '../lib/workqueue.js';
import type { ControllerContext } from '../services/controllers/framework.js';
import { namespaceController, namespacedKinds } from '../services/controllers/namespace.js';

type Handlers = { onAdd?(o: KubeObject): void; onUpdate?(a: KubeObject, b: KubeObject): void; onDelete?(o: KubeObject): void };

class FakeInformer {
  readonly objects = new Map<string, KubeObject>();
  readonly handlers: Handlers[] = [];
  addEventHandler(h: Handlers): () => void {
    this.handlers.push(h);
    return () => {};
  }
  get(ns: string, name: string): KubeObject | undefined {
    return this.objects.get(ns ? `${ns}/${name}` : name);
  }
  list(opts: { namespace?: string } = {}): KubeObject[] {
    return [...this.objects.values()].filter((o) => !opts.namespace || o.metadata?.namespace === opts.namespace);
  }
  put(o: KubeObject): void {
    const key = o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name ?? ''}` : (o.metadata?.name ?? '');
    const old = this.objects.get(key);
    this.objects.set(key, o);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, o);
      else h.onAdd?.(o);
    }
  }
  remove(o: KubeObject): void {
    const key = o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name ?? ''}` : (o.metadata?.name ?? '');
    this.objects.delete(key);
    for (const h of this.handlers) h.onDelete?.(o);
  }
}

function world() {
  const informers = new Map<string, FakeInformer>();
  const inf = (kind: string): FakeInformer => {
    let i = informers.get(kind);
    if (!i) informers.set(kind, (i = new FakeInformer()));
    return i;
  };
  /** What the API server holds, by kind (a stuck pod with a finalizer). */
  const server = new Map<string, KubeObject[]>();
  let lists = 0;
  const client = {
    listAll: (kind: string, opts: { namespace?: string }) => {
      lists++;
      return Promise.resolve({ items: (server.get(kind) ?? []).filter((o) => o.metadata?.namespace === opts.namespace) });
    },
    delete: () => Promise.resolve({ deleted: false }),
    updateStatus: (o: KubeObject) => Promise.resolve(o),
    get: (_k: string, _ns: string, name: string) => Promise.resolve(inf('Namespace').get('', name)!),
    update: (o: KubeObject) => Promise.resolve(o),
  };
  const queued: string[] = [];
  const ctx = {
    client,
    informer: (kind: string) => inf(kind),
    metrics: undefined,
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    now: () => Date.parse('2024-05-01T10:00:00Z'),
  } as unknown as ControllerContext;
  const queue = { add: (k: string) => queued.push(k) } as unknown as WorkQueue<string>;
  return { ctx, queue, inf, server, queued, lists: () => lists };
}

describe('namespace controller (fake client)', () => {
  it('backs the recheck off from 1 s doubling to 30 s while content remains, and requeues at once when the last pod goes', async () => {
    const w = world();
    const reconcile = namespaceController().setup(w.ctx, w.queue);
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed', deletionTimestamp: '2024-05-01T10:00:00Z' }, spec: { finalizers: ['kubernetes'] } };
    w.inf('Namespace').put(ns);
    const stuck: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'held', namespace: 'doomed', deletionTimestamp: '2024-05-01T10:00:00Z', finalizers: ['x/hold'] } };
    w.server.set('Pod', [stuck]);
    w.inf('Pod').put(stuck);

    const delays: number[] = [];
    for (let i = 0; i < 8; i++) delays.push(((await reconcile('doomed')) as { requeueAfter: number }).requeueAfter);
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    // One list of each kind per look, not per second.
    expect(w.lists()).toBe(8 * namespacedKinds().length);

    // The pod's finalizer goes: its deletion event requeues the namespace at once.
    w.queued.length = 0;
    w.server.set('Pod', []);
    w.inf('Pod').remove(stuck);
    expect(w.queued).toEqual(['doomed']);
    expect(await reconcile('doomed')).toBeUndefined();

    // A pod of another, live namespace going does not requeue anything.
    w.queued.length = 0;
    const other: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'live' } };
    w.inf('Pod').put(other);
    w.inf('Pod').remove(other);
    expect(w.queued).toEqual([]);
  });
});
