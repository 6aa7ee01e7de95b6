// Fake client that records actions, fake informer caches, and a fake controller context and
// work queue, shared by the controller reconcile tests (as kubernetes/sample-controller tests
// its controller).
import { Registry } from 'prom-client';
import type { ShoalClient } from '../lib/client.js';
import { NotFoundError } from '../lib/errors.js';
import type { EventHandlers, Informer, CacheListOptions } from '../lib/informer.js';
import type { KubeObject } from '../lib/kinds.js';
import { matchesLabels, parseLabelSelector } from '../lib/selectors.js';
import type { WorkQueue } from '../lib/workqueue.js';
import type { ControllerContext } from '../services/controllers/framework.js';

export class FakeCache {
  readonly objects = new Map<string, KubeObject>();
  private readonly handlers: EventHandlers[] = [];

  private key(o: KubeObject): string {
    return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  }
  get(namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }
  list(opts: CacheListOptions = {}): KubeObject[] {
    return [...this.objects.values()].filter((o) => {
      if (opts.namespace && o.metadata?.namespace !== opts.namespace) return false;
      if (typeof opts.labelSelector === 'string') return matchesLabels(parseLabelSelector(opts.labelSelector), o.metadata?.labels);
      return true;
    });
  }
  addEventHandler(h: EventHandlers): () => void {
    this.handlers.push(h);
    return () => {};
  }
  /** Puts an object in the cache and fires handlers, as an informer observing it would. */
  put(o: KubeObject): void {
    const old = this.objects.get(this.key(o));
    this.objects.set(this.key(o), o);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, o);
      else h.onAdd?.(o);
    }
  }
  remove(o: KubeObject): void {
    const old = this.objects.get(this.key(o));
    if (!old) return;
    this.objects.delete(this.key(o));
    for (const h of this.handlers) h.onDelete?.(old);
  }
}

export interface Action {
  verb: 'get' | 'create' | 'update' | 'updateStatus' | 'delete';
  kind: string;
  namespace: string;
  name: string;
  object?: KubeObject;
}

/** Records every write; get reads `server` (what the API server holds). */
export class FakeClient {
  readonly actions: Action[] = [];
  readonly server = new Map<string, KubeObject>();
  private seq = 0;
  failCreate?: (obj: KubeObject) => Error | undefined;

  private key(kind: string, ns: string, name: string): string {
    return `${kind}/${ns}/${name}`;
  }
  seed(o: KubeObject): void {
    this.server.set(this.key(o.kind ?? '', o.metadata?.namespace ?? '', o.metadata?.name ?? ''), o);
  }
  writes(): Action[] {
    return this.actions.filter((a) => a.verb !== 'get' && a.kind !== 'Event');
  }
  get(kind: string, namespace: string, name: string): Promise<KubeObject> {
    this.actions.push({ verb: 'get', kind, namespace, name });
    const o = this.server.get(this.key(kind, namespace, name));
    return o ? Promise.resolve(structuredClone(o)) : Promise.reject(new NotFoundError(`${kind} "${name}" not found`));
  }
  create(obj: KubeObject): Promise<KubeObject> {
    const err = this.failCreate?.(obj);
    const m = obj.metadata ?? {};
    const name = m.name || `${m.generateName ?? ''}${(++this.seq).toString(36).padStart(5, '0')}`;
    this.actions.push({ verb: 'create', kind: obj.kind ?? '', namespace: m.namespace ?? '', name, object: obj });
    if (err) return Promise.reject(err);
    const created = structuredClone({ ...obj, metadata: { ...m, name, uid: `uid-${name}`, resourceVersion: String(++this.seq) } });
    this.seed(created);
    return Promise.resolve(created);
  }
  update(obj: KubeObject): Promise<KubeObject> {
    const m = obj.metadata ?? {};
    this.actions.push({ verb: 'update', kind: obj.kind ?? '', namespace: m.namespace ?? '', name: m.name ?? '', object: obj });
    const out = structuredClone({ ...obj, metadata: { ...m, resourceVersion: String(++this.seq) } });
    this.seed(out);
    return Promise.resolve(out);
  }
  updateStatus(obj: KubeObject): Promise<KubeObject> {
    const m = obj.metadata ?? {};
    this.actions.push({ verb: 'updateStatus', kind: obj.kind ?? '', namespace: m.namespace ?? '', name: m.name ?? '', object: obj });
    const out = structuredClone({ ...obj, metadata: { ...m, resourceVersion: String(++this.seq) } });
    this.seed(out);
    return Promise.resolve(out);
  }
  delete(kind: string, namespace: string, name: string): Promise<{ object: KubeObject; deleted: boolean }> {
    this.actions.push({ verb: 'delete', kind, namespace, name });
    const k = this.key(kind, namespace, name);
    const o = this.server.get(k) ?? { kind, metadata: { name, namespace } };
    this.server.delete(k);
    return Promise.resolve({ object: o, deleted: true });
  }
}

export function fakeContext(client: FakeClient, caches: Record<string, FakeCache>, clock: { now: number }): ControllerContext {
  return {
    client: client as unknown as ShoalClient,
    informer: (kind) => {
      const c = caches[kind];
      if (!c) throw new Error(`no fake cache for ${kind}`);
      return c as unknown as Informer;
    },
    metrics: new Registry(),
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    now: () => clock.now,
  };
}

export function fakeQueue(): { queue: WorkQueue<string>; keys: string[] } {
  const keys: string[] = [];
  const queue = { add: (k: string) => keys.push(k), addAfter: (k: string) => keys.push(k) } as unknown as WorkQueue<string>;
  return { queue, keys };
}
