// The API server end to end: a real nats-server, a real LevelDB on disk, the gRPC API.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShoalClient, retryOnConflict } from '../lib/client.js';
import { ConflictError, ExpiredError, InvalidError, NotFoundError, TooLargeError, UnauthenticatedError } from '../lib/errors.js';
import { KINDS, type KubeObject } from '../lib/kinds.js';
import { sampleObject } from './fixtures.js';
import { eventually, startTestCluster, type TestCluster } from './harness.js';

let cluster: TestCluster;
let client: ShoalClient;

beforeAll(async () => {
  cluster = await startTestCluster({ compactAfterMs: 60 * 60 * 1000 });
  client = cluster.client;
});
afterAll(async () => {
  await cluster?.stop();
});

function rv(obj: KubeObject): number {
  return Number(obj.metadata?.resourceVersion);
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

describe('CRUD for every kind', () => {
  for (const info of KINDS) {
    it(`${info.kind}: create, get, list, update, status, delete`, async () => {
      const name = `crud-${info.singular}`;
      const created = await client.create(sampleObject(info.kind, name, { suite: 'crud' }));
      expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata?.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(created.metadata?.generation).toBe(1);
      expect(created.metadata?.namespace).toBe(info.namespaced ? 'default' : undefined);

      const got = await client.get(info.kind, 'default', name);
      expect(got.metadata?.uid).toBe(created.metadata?.uid);
      expect(rv(got)).toBe(rv(created));

      const listed = await client.list(info.plural, { namespace: info.namespaced ? 'default' : '', labelSelector: 'suite=crud' });
      expect(listed.items.map((o) => o.metadata?.name)).toEqual([name]);
      expect(Number(listed.resourceVersion)).toBeGreaterThanOrEqual(rv(created));

      const changed = structuredClone(got);
      changed.metadata!.labels = { ...changed.metadata!.labels, touched: 'yes' };
      const updated = await client.update(changed);
      expect(updated.metadata?.labels?.touched).toBe('yes');
      expect(rv(updated)).toBeGreaterThan(rv(got));
      // A label is metadata, not spec: generation stays.
      expect(updated.metadata?.generation).toBe(1);

      if (info.hasStatus && info.kind !== 'Namespace') {
        const withStatus = await client.updateStatus({ ...updated, status: info.kind === 'Pod' ? { phase: 'Running' } : {} });
        expect(withStatus.metadata?.generation).toBe(1);
        expect(withStatus.spec).toEqual(updated.spec);
      }

      const del = await client.delete(info.kind, 'default', name);
      if (info.kind === 'Namespace') {
        // A namespace waits in Terminating for the namespace controller to empty it and
        // drop its "kubernetes" finalizer.
        expect(del.deleted).toBe(false);
        expect(del.object.status).toMatchObject({ phase: 'Terminating' });
        expect(del.object.spec).toEqual({ finalizers: ['kubernetes'] });
        await client.update({ ...del.object, spec: { finalizers: [] } });
      } else {
        expect(del.deleted).toBe(true);
      }
      expect(await errorOf(client.get(info.kind, 'default', name))).toBeInstanceOf(NotFoundError);
    });

    it(`${info.kind}: label and field selectors, pagination`, async () => {
      const ns = info.namespaced ? 'default' : '';
      for (let i = 0; i < 5; i++) {
        await client.create(sampleObject(info.kind, `page-${info.singular}-${i}`, { suite: 'page', parity: i % 2 ? 'odd' : 'even' }));
      }
      const names = async (opts: { labelSelector?: string; fieldSelector?: string }) =>
        (await client.list(info.kind, { namespace: ns, ...opts })).items.map((o) => o.metadata?.name);
      expect(await names({ labelSelector: 'suite=page,parity=odd' })).toEqual([`page-${info.singular}-1`, `page-${info.singular}-3`]);
      expect(await names({ labelSelector: 'suite=page,parity notin (odd)' })).toHaveLength(3);
      expect(await names({ fieldSelector: `metadata.name=page-${info.singular}-4` })).toEqual([`page-${info.singular}-4`]);
      if (info.namespaced) {
        expect(await names({ labelSelector: 'suite=page', fieldSelector: 'metadata.namespace=default' })).toHaveLength(5);
        expect(await names({ labelSelector: 'suite=page', fieldSelector: 'metadata.namespace!=default' })).toHaveLength(0);
      }
      const pages: string[][] = [];
      let token: string | undefined = '';
      do {
        const page = await client.list(info.kind, { namespace: ns, labelSelector: 'suite=page', limit: 2, continueToken: token });
        pages.push(page.items.map((o) => o.metadata?.name ?? ''));
        token = page.continueToken;
      } while (token && pages.length < 10);
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual([0, 1, 2, 3, 4].map((i) => `page-${info.singular}-${i}`));
    });
  }
});

describe('store semantics', () => {
  it('has the default and shoal-system namespaces', async () => {
    const names = (await client.list('ns', {})).items.map((o) => o.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'shoal-system']));
  });

  it('bumps generation on spec changes only, and keeps spec and status apart', async () => {
    const d = await client.create(sampleObject('Deployment', 'gen-test'));
    const status = await client.updateStatus({ ...d, status: { replicas: 2, observedGeneration: 1 } });
    expect(status.metadata?.generation).toBe(1);

    const scaled = structuredClone(status);
    (scaled.spec as { replicas: number }).replicas = 5;
    scaled.status = { replicas: 99 };
    const after = await client.update(scaled);
    expect(after.metadata?.generation).toBe(2);
    // Update never writes status.
    expect((after.status as { replicas: number }).replicas).toBe(2);

    const statusWithSpec = structuredClone(after);
    (statusWithSpec.spec as { replicas: number }).replicas = 7;
    statusWithSpec.status = { replicas: 5 };
    const s2 = await client.updateStatus(statusWithSpec);
    // UpdateStatus never writes spec.
    expect((s2.spec as { replicas: number }).replicas).toBe(5);
    expect((s2.status as { replicas: number }).replicas).toBe(5);
    expect(s2.metadata?.generation).toBe(2);
  });

  it('rejects a stale resourceVersion with a conflict naming the current one', async () => {
    const cm = await client.create(sampleObject('ConfigMap', 'stale'));
    const fresh = await client.update({ ...cm, data: { key: 'v2' } });
    const err = await errorOf(client.update({ ...cm, data: { key: 'v3' } }));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toContain(`current resourceVersion ${fresh.metadata?.resourceVersion}`);
    expect((await client.get('cm', 'default', 'stale')).data).toEqual({ key: 'v2' });
  });

  it('50 concurrent writers incrementing one annotation lose no update', async () => {
    await client.create(sampleObject('ConfigMap', 'counter'));
    let conflicts = 0;
    const writers = Array.from({ length: 50 }, () =>
      retryOnConflict(
        async () => {
          const cur = await client.get('ConfigMap', 'default', 'counter');
          const n = Number(cur.metadata?.annotations?.count ?? '0');
          cur.metadata!.annotations = { ...cur.metadata!.annotations, count: String(n + 1) };
          try {
            return await client.update(cur);
          } catch (err) {
            if (err instanceof ConflictError) conflicts++;
            throw err;
          }
        },
        1000,
      ),
    );
    await Promise.all(writers);
    const final = await client.get('ConfigMap', 'default', 'counter');
    expect(final.metadata?.annotations?.count).toBe('50');
    // With 50 racing read-modify-writes, stale writes were really attempted and refused.
    expect(conflicts).toBeGreaterThan(0);
  });

  it('marks an object with finalizers for deletion and removes it with its last finalizer', async () => {
    const obj = sampleObject('ConfigMap', 'finalized');
    obj.metadata!.finalizers = ['example.com/hold'];
    await client.create(obj);
    const del = await client.delete('ConfigMap', 'default', 'finalized');
    expect(del.deleted).toBe(false);
    const marked = await client.get('ConfigMap', 'default', 'finalized');
    expect(marked.metadata?.deletionTimestamp).toBeTruthy();
    await client.update({ ...marked, metadata: { ...marked.metadata, finalizers: [] } });
    expect(await errorOf(client.get('ConfigMap', 'default', 'finalized'))).toBeInstanceOf(NotFoundError);
  });

  it('retries an update without a resourceVersion instead of failing on a race', async () => {
    await client.create(sampleObject('ConfigMap', 'unconditional'));
    const writers = Array.from({ length: 20 }, async (_, i) => {
      const cur = await client.get('ConfigMap', 'default', 'unconditional');
      const { resourceVersion: _rv, ...meta } = cur.metadata ?? {};
      return client.update({ ...cur, metadata: meta, data: { key: `v${i}` } });
    });
    const results = await Promise.allSettled(writers);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  });

  it('reports the object as its last writer left it when the last finalizer goes', async () => {
    const obj = sampleObject('ConfigMap', 'final-state');
    obj.metadata!.finalizers = ['example.com/hold'];
    await client.create(obj);
    const abort = new AbortController();
    const from = (await client.get('cm', 'default', 'final-state')).metadata?.resourceVersion;
    const deleted = (async () => {
      for await (const ev of client.watch('cm', { namespace: 'default', fieldSelector: 'metadata.name=final-state', resourceVersion: from, signal: abort.signal })) {
        if (ev.type === 'DELETED') return ev.object;
      }
      return undefined;
    })();
    await client.delete('ConfigMap', 'default', 'final-state');
    const marked = await client.get('ConfigMap', 'default', 'final-state');
    const last = await client.update({ ...marked, metadata: { ...marked.metadata, finalizers: [] } });
    expect(last.metadata?.finalizers ?? []).toEqual([]);
    expect((await deleted)?.metadata?.finalizers ?? []).toEqual([]);
    abort.abort();
  });

  it('records the propagation policy as Kubernetes does: foreground and orphan finalizers', async () => {
    await client.create(sampleObject('ReplicaSet', 'fg'));
    await client.create(sampleObject('ReplicaSet', 'orphaned'));
    await client.delete('rs', 'default', 'fg', { propagationPolicy: 'Foreground' });
    await client.delete('rs', 'default', 'orphaned', { propagationPolicy: 'Orphan' });
    expect((await client.get('rs', 'default', 'fg')).metadata?.finalizers).toEqual(['foregroundDeletion']);
    expect((await client.get('rs', 'default', 'orphaned')).metadata?.finalizers).toEqual(['orphan']);
  });

  it('terminates a pod bound to a node gracefully, and at once with grace period 0', async () => {
    const pod = sampleObject('Pod', 'bound');
    (pod.spec as { nodeName: string }).nodeName = 'n1';
    await client.create(pod);
    const res = await client.delete('Pod', 'default', 'bound');
    expect(res.deleted).toBe(false);
    expect(res.object.metadata?.deletionGracePeriodSeconds).toBe(30);
    // The node agent keeps reporting status while the containers stop: the pod stays.
    await client.updateStatus({ ...res.object, status: { phase: 'Running' } });
    expect((await client.get('Pod', 'default', 'bound')).metadata?.deletionTimestamp).toBeTruthy();
    const forced = await client.delete('Pod', 'default', 'bound', { gracePeriodSeconds: 0 });
    expect(forced.deleted).toBe(true);
  });

  it('refuses objects in a namespace that does not exist', async () => {
    const err = await errorOf(client.create(sampleObject('Pod', 'p', {}, 'nowhere')));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toContain('namespaces "nowhere" not found');
  });
});

describe('selectors and pagination', () => {
  beforeAll(async () => {
    await client.create(sampleObject('Namespace', 'sel'));
    for (let i = 0; i < 25; i++) {
      const pod = sampleObject('Pod', `p${String(i).padStart(2, '0')}`, { tier: i % 2 ? 'odd' : 'even', idx: String(i) }, 'sel');
      if (i < 5) (pod.spec as { nodeName: string }).nodeName = 'node-a';
      if (i === 7) pod.metadata!.labels!.canary = 'true';
      await client.create(pod);
    }
  });

  it('filters by equality and set-based label selectors', async () => {
    const names = async (labelSelector: string) =>
      (await client.list('po', { namespace: 'sel', labelSelector })).items.map((o) => o.metadata?.name);
    expect(await names('tier=odd')).toHaveLength(12);
    expect(await names('tier!=odd')).toHaveLength(13);
    expect(await names('idx in (1,2,3)')).toEqual(['p01', 'p02', 'p03']);
    expect(await names('tier=even,idx notin (0,2,4,6,8,10,12,14,16,18,20,22)')).toEqual(['p24']);
    expect(await names('canary')).toEqual(['p07']);
    expect(await names('!canary')).toHaveLength(24);
    expect(await errorOf(names('tier in ('))).toBeInstanceOf(InvalidError);
  });

  it('filters by field selectors on metadata.name, metadata.namespace and spec.nodeName', async () => {
    const list = async (fieldSelector: string, namespace = '') =>
      (await client.list('pods', { namespace, fieldSelector })).items.map((o) => o.metadata?.name);
    expect(await list('metadata.name=p03')).toEqual(['p03']);
    expect(await list('metadata.namespace=sel')).toHaveLength(25);
    expect(await list('spec.nodeName=node-a', 'sel')).toEqual(['p00', 'p01', 'p02', 'p03', 'p04']);
    expect(await list('spec.nodeName!=node-a,metadata.namespace=sel')).toHaveLength(20);
  });

  it('pages through a list with limit and continue', async () => {
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await client.list('pods', { namespace: 'sel', limit: 10, continueToken: token });
      expect(page.items.length).toBeLessThanOrEqual(10);
      seen.push(...page.items.map((o) => o.metadata?.name ?? ''));
      token = page.continueToken ?? '';
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `p${String(i).padStart(2, '0')}`));
  });

  it('expires a continue token once the list changes, and listAll starts over', async () => {
    const first = await client.list('pods', { namespace: 'sel', limit: 10 });
    const second = await client.list('pods', { namespace: 'sel', limit: 10, continueToken: first.continueToken });
    // Pages after the first are served at the first page's revision.
    expect(second.resourceVersion).toBe(first.resourceVersion);
    await client.create(sampleObject('Pod', 'late', {}, 'sel'));
    const err = await errorOf(client.list('pods', { namespace: 'sel', limit: 10, continueToken: second.continueToken }));
    expect(err).toBeInstanceOf(ExpiredError);
    expect(err.message).toContain('list again');
    const all = await client.listAll('pods', { namespace: 'sel', limit: 10 });
    expect(all.items).toHaveLength(26);
    await client.delete('pods', 'sel', 'late');
  });

  it('pages a label-selected list', async () => {
    const first = await client.list('pods', { namespace: 'sel', labelSelector: 'tier=odd', limit: 5 });
    const second = await client.list('pods', { namespace: 'sel', labelSelector: 'tier=odd', limit: 100, continueToken: first.continueToken });
    expect(first.items).toHaveLength(5);
    expect(second.items).toHaveLength(7);
    expect(second.continueToken ?? '').toBe('');
  });
});

describe('watch', () => {
  it('1,000 writes reach 5 watchers, every revision once and in order; resumes replay the same', async () => {
    const start = Number((await client.list('cm', {})).resourceVersion);
    const abort = new AbortController();
    const collect = async (from: number, count: number): Promise<number[]> => {
      const revs: number[] = [];
      for await (const ev of client.watch('ConfigMap', { namespace: 'default', resourceVersion: String(from), signal: abort.signal })) {
        if (ev.type === 'BOOKMARK') continue;
        if (ev.object?.metadata?.name?.startsWith('w-')) revs.push(Number(ev.resourceVersion));
        if (revs.length >= count) break;
      }
      return revs;
    };
    const watchers = Array.from({ length: 5 }, () => collect(start, 1000));
    const written: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const objs = await Promise.all(
        Array.from({ length: 100 }, (_, i) => client.create(sampleObject('ConfigMap', `w-${batch * 100 + i}`))),
      );
      written.push(...objs.map(rv));
    }
    written.sort((a, b) => a - b);
    const results = await Promise.all(watchers);
    for (const revs of results) expect(revs).toEqual(written);

    // Resume from revisions in the middle: the same suffix, in the same order.
    for (const from of [written[0]!, written[499]!, written[998]!]) {
      const expected = written.filter((r) => r > from);
      expect(await collect(from, expected.length)).toEqual(expected);
    }
    abort.abort();
  });

  it('turns label changes into ADDED and DELETED for a selector watch', async () => {
    const abort = new AbortController();
    const from = (await client.list('cm', {})).resourceVersion;
    const types: string[] = [];
    const done = (async () => {
      for await (const ev of client.watch('cm', { namespace: 'default', labelSelector: 'watched=yes', resourceVersion: from, signal: abort.signal })) {
        if (ev.type === 'BOOKMARK') continue;
        types.push(ev.type);
        if (types.length === 3) break;
      }
    })();
    const cm = await client.create(sampleObject('ConfigMap', 'flip', { watched: 'no' }));
    const on = await client.update({ ...cm, metadata: { ...cm.metadata, labels: { watched: 'yes' } } });
    const edit = await client.update({ ...on, data: { key: 'changed' } });
    await client.update({ ...edit, metadata: { ...edit.metadata, labels: { watched: 'no' } } });
    await done;
    abort.abort();
    expect(types).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
  });
});

describe('bad input', () => {
  const apply = (text: string) => client.apply(text, {});

  it('names every violation with its field path', async () => {
    const err = await errorOf(
      apply(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: Bad_Name
spec:
  replicas: -1
  selector:
    matchLabels: {app: x}
  template:
    metadata:
      labels: {app: x}
    spec:
      containers:
        - name: c
          ports:
            - containerPort: 70000
`),
    );
    expect(err).toBeInstanceOf(InvalidError);
    const fields = (err as InvalidError).violations.map((v) => v.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'metadata.name',
        'spec.replicas',
        'spec.template.spec.containers[0].image',
        'spec.template.spec.containers[0].ports[0].containerPort',
      ]),
    );
    expect(err.message).toContain('spec.template.spec.containers[0].image: Required value');
  });

  it('rejects unknown fields, wrong types and unknown kinds', async () => {
    const unknown = await errorOf(apply('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: u}\ndata: {a: b}\nspex: {}\n'));
    expect(unknown).toBeInstanceOf(InvalidError);
    expect(unknown.message).toContain('spex: Unsupported value: unknown field');
    const typed = await errorOf(apply('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: "eighty"}]}\n'));
    expect(typed.message).toContain('spec.ports[0].port');
    const kind = await errorOf(apply('apiVersion: v1\nkind: Gizmo\nmetadata: {name: g}\n'));
    expect(kind.message).toContain('kind');
    // YAML that JavaScript would quietly bend: a __proto__ key, a !!set where a map belongs.
    const proto = await errorOf(apply('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\n  labels: {__proto__: x}\n'));
    expect(proto.message).toContain('metadata.labels[__proto__]');
    const set = await errorOf(apply('apiVersion: v1\nkind: ConfigMap\nmetadata: !!set {a}\n'));
    expect(set.message).toContain('metadata: Invalid value: expected object, got set');
  });

  it('writes nothing when one document of several is invalid', async () => {
    const err = await errorOf(
      apply('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good-one}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: BAD}\n'),
    );
    expect(err).toBeInstanceOf(InvalidError);
    expect(await errorOf(client.get('cm', 'default', 'good-one'))).toBeInstanceOf(NotFoundError);
  });

  it('refuses a 4 MiB manifest and a YAML alias bomb, and stays up', async () => {
    // 4 MiB is refused by the client before it is sent; 3.5 MiB reaches the server, which
    // refuses anything over 3 MiB.
    for (const mib of [4, 3.5]) {
      const big = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: "${'x'.repeat(mib * 1024 * 1024)}"\n`;
      const tooBig = await errorOf(apply(big));
      expect(tooBig, `${mib} MiB`).toBeInstanceOf(TooLargeError);
    }
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
      .concat(Array.from({ length: 8 }, (_, i) => {
        const prev = String.fromCharCode(97 + i);
        const cur = String.fromCharCode(98 + i);
        return `${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`;
      }))
      .join('\n');
    const bombErr = await errorOf(apply(bomb));
    expect(bombErr).toBeInstanceOf(InvalidError);
    expect(bombErr.message).toMatch(/alias/i);
    expect((await client.version()).version).toBeTruthy();
  });
});

describe('apply', () => {
  it('creates, reports unchanged without writing, and configures', async () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: applied
spec:
  replicas: 2
  selector: {matchLabels: {app: applied}}
  template:
    metadata: {labels: {app: applied}}
    spec:
      containers: [{name: web, image: "nginx:1.14.2"}]
`;
    const [created] = await client.apply(text, {});
    expect(created?.action).toBe('created');
    const [again] = await client.apply(text, {});
    expect(again?.action).toBe('unchanged');
    expect(again?.object.metadata?.resourceVersion).toBe(created?.object.metadata?.resourceVersion);
    const [changed] = await client.apply(text.replace('replicas: 2', 'replicas: 4'), {});
    expect(changed?.action).toBe('configured');
    expect((changed?.object.spec as { replicas: number }).replicas).toBe(4);
    expect(changed?.object.metadata?.generation).toBe(2);
  });
});

describe('authentication and discovery', () => {
  it('rejects a missing and a wrong token', async () => {
    for (const token of ['', 'wrong-token']) {
      const c = new ShoalClient({ server: cluster.api.address, token });
      const err = await errorOf(c.get('ns', '', 'default'));
      c.close();
      expect(err).toBeInstanceOf(UnauthenticatedError);
    }
  });

  it('serves grpc.health.v1 and server reflection to a generic client', async () => {
    const { protoPath } = await import('grpc-health-check');
    const def = protoLoader.loadSync(protoPath, { enums: String });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      grpc: { health: { v1: { Health: new (addr: string, creds: grpc.ChannelCredentials) => grpc.Client } } };
    };
    const health = new pkg.grpc.health.v1.Health(cluster.api.address, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer test-admin-token');
    const res = await new Promise<{ status: string }>((resolve, reject) =>
      (health as unknown as { Check: (r: object, m: grpc.Metadata, cb: (e: Error | null, r: { status: string }) => void) => void }).Check(
        { service: 'shoal.v1.Resources' },
        md,
        (e, r) => (e ? reject(e) : resolve(r)),
      ),
    );
    health.close();
    expect(res.status).toBe('SERVING');

    const reflDef = protoLoader.loadSync('grpc/reflection/v1/reflection.proto', {
      includeDirs: [new URL('../node_modules/@grpc/reflection/build/proto', import.meta.url).pathname],
    });
    const refl = grpc.loadPackageDefinition(reflDef) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: new (addr: string, creds: grpc.ChannelCredentials) => grpc.Client } } };
    };
    const rc = new refl.grpc.reflection.v1.ServerReflection(cluster.api.address, grpc.credentials.createInsecure());
    const stream = (rc as unknown as { ServerReflectionInfo: (m: grpc.Metadata) => grpc.ClientDuplexStream<object, { listServicesResponse?: { service: { name: string }[] } }> }).ServerReflectionInfo(md);
    const services = await new Promise<string[]>((resolve, reject) => {
      stream.on('data', (msg: { listServicesResponse?: { service: { name: string }[] } }) => {
        resolve((msg.listServicesResponse?.service ?? []).map((s) => s.name));
        stream.end();
      });
      stream.on('error', reject);
      stream.write({ listServices: '' });
    });
    rc.close();
    expect(services).toEqual(expect.arrayContaining(['shoal.v1.Resources', 'grpc.health.v1.Health']));
  });
});

describe('compaction', () => {
  it('a watch from a compacted revision fails with the expired error', async () => {
    const c = await startTestCluster({ compactAfterMs: 1 });
    try {
      for (let i = 0; i < 5; i++) await c.client.create(sampleObject('ConfigMap', `old-${i}`));
      // Compaction runs on its timer; force passes until the pump has published what it
      // compacts (the log keeps whatever the pump has not taken yet).
      const store = c.api.registry.store as unknown as { compact(): Promise<void>; compactedRevision: number };
      await eventually(async () => {
        await store.compact();
        return store.compactedRevision > 2;
      }, 'compaction past revision 2');
      const iter = c.client.watch('cm', { resourceVersion: '1', signal: new AbortController().signal });
      const err = await errorOf((async () => {
        for await (const _ of iter) break;
      })());
      expect(err).toBeInstanceOf(ExpiredError);
    } finally {
      await c.stop();
    }
  });
});
