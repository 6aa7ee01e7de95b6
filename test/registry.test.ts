// The registry in process, on a real LevelDB store: the namespace check every create makes,
// which is answered from a cache, against every way a namespace can change.
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../lib/errors.js';
import type { KubeObject } from '../lib/kinds.js';
import { Registry } from '../services/api/registry.js';
import { openStore, type LevelStore } from '../services/api/store.js';
import type { ObjectKey, Store } from '../services/api/store-types.js';
import { sampleObject } from './fixtures.js';
import { tempDir } from './harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function newRegistry(wrap: (store: LevelStore) => Store = (s) => s): Promise<{ registry: Registry; store: LevelStore }> {
  const { dir, cleanup } = await tempDir('shoal-registry-');
  const store = await openStore({ dir, compactIntervalMs: 0 });
  cleanups.push(cleanup, () => store.close());
  const registry = new Registry(wrap(store));
  await registry.bootstrap();
  return { registry, store };
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

const cm = (name: string, namespace: string): KubeObject => sampleObject('ConfigMap', name, {}, namespace);

describe('the namespace check on create', () => {
  it('follows a namespace through terminating, removal and creation again', async () => {
    const { registry } = await newRegistry();
    await registry.create(sampleObject('Namespace', 'team'));
    await registry.create(cm('a', 'team'));

    const marked = await registry.delete('Namespace', '', 'team');
    expect(marked.deleted).toBe(false);
    const terminating = await errorOf(registry.create(cm('b', 'team')));
    expect(terminating).toBeInstanceOf(ConflictError);
    expect(terminating.message).toContain('namespace "team" is being terminated');

    // The namespace controller's last step: its finalizer goes, and so does the namespace.
    const ns = await registry.get('Namespace', '', 'team');
    await registry.update({ ...ns, spec: { finalizers: [] } });
    await expect(registry.get('Namespace', '', 'team')).rejects.toBeInstanceOf(NotFoundError);
    const gone = await errorOf(registry.create(cm('c', 'team')));
    expect(gone).toBeInstanceOf(NotFoundError);
    expect(gone.message).toContain('namespaces "team" not found');

    await registry.create(sampleObject('Namespace', 'team'));
    await expect(registry.create(cm('d', 'team'))).resolves.toMatchObject({ metadata: { name: 'd', namespace: 'team' } });
  });

  it('does not remember that a namespace is missing', async () => {
    const { registry } = await newRegistry();
    await expect(registry.create(cm('a', 'later'))).rejects.toBeInstanceOf(NotFoundError);
    await registry.create(sampleObject('Namespace', 'later'));
    await expect(registry.create(cm('a', 'later'))).resolves.toBeTruthy();
  });

  it('sees a namespace written to the store directly', async () => {
    const { registry, store } = await newRegistry();
    await registry.create(cm('a', 'default'));
    const ns = await store.get({ kind: 'Namespace', namespace: '', name: 'default' });
    await store.update(
      { ...ns!, metadata: { ...ns!.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } },
      Number(ns!.metadata?.resourceVersion),
    );
    await expect(registry.create(cm('b', 'default'))).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses every create issued after a namespace deletion is acknowledged', async () => {
    const { registry } = await newRegistry();
    await registry.create(sampleObject('Namespace', 'busy'));
    await registry.create(cm('warm', 'busy'));
    // Creates race the deletion; every one issued once it has returned must fail.
    const early = Array.from({ length: 50 }, (_, i) => registry.create(cm(`early-${i}`, 'busy')).catch(() => undefined));
    await registry.delete('Namespace', '', 'busy');
    const late = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => registry.create(cm(`late-${i}`, 'busy'))));
    expect(late.every((o) => o.status === 'rejected' && o.reason instanceof ConflictError)).toBe(true);
    await Promise.all(early);
  });

  it('does not keep what a read returned when a namespace changed while it ran', async () => {
    // Reads of Namespace "slow" return what the store held when they were issued, but only
    // once `release` is called.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holdNext = false;
    const { registry } = await newRegistry((store) => {
      const get = async (key: ObjectKey): Promise<KubeObject | undefined> => {
        const value = await store.get(key);
        if (holdNext && key.kind === 'Namespace' && key.name === 'slow') {
          holdNext = false;
          await held;
        }
        return value;
      };
      return new Proxy(store, {
        get(target, prop) {
          if (prop === 'get') return get;
          const value: unknown = Reflect.get(target, prop, target);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
    });
    await registry.create(sampleObject('Namespace', 'slow'));
    holdNext = true;
    // Reads "slow" as active, and is held.
    const early = registry.create(cm('early', 'slow'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await registry.delete('Namespace', '', 'slow');
    // Reads "slow" as terminating: the cache now holds that.
    await expect(registry.create(cm('between', 'slow'))).rejects.toBeInstanceOf(ConflictError);
    // The held read returns the namespace as it was; that create is let through (it checked
    // before the deletion), but what it read must not replace what the cache holds.
    release();
    await early;
    await expect(registry.create(cm('late', 'slow'))).rejects.toBeInstanceOf(ConflictError);
  });
});
