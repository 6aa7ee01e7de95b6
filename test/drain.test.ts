// How `shoal drain` waits for the pods it deleted: one list, then a watch from its revision,
// never a poll. Against a real API server (no scheduler or node agent: pods are created
// already bound, and a finalizer keeps a deleted pod around until the test removes it), and
// against a scripted client for the expired-revision, replaced-pod and broken-stream paths.
import { afterEach, describe, expect, it } from 'vitest';
import { drain, type NodesClient } from '../cli/nodes.js';
import type { IO } from '../cli/commands.js';
import { ShoalClient, type ListResult, type WatchEvent, type WatchOptions } from '../lib/client.js';
import { ExpiredError, InvalidError, UnavailableError } from '../lib/errors.js';
import type { KubeObject } from '../lib/kinds.js';
import { startApiServer, type ApiServer, type ApiServerConfig } from '../services/api/server.js';
import { eventually, freePort, tempDir, TEST_TOKEN } from './harness.js';

const FINALIZER = 'example.com/hold';

function captureIO(signal?: AbortSignal): IO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), signal };
}

function boundPod(name: string, opts: { finalizer?: boolean; uid?: string } = {}): KubeObject {
  const metadata: NonNullable<KubeObject['metadata']> = {
    name,
    namespace: 'default',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', uid: '4f1c9a52-0000-4000-8000-00000000d001', controller: true }],
  };
  if (opts.finalizer) metadata.finalizers = [FINALIZER];
  if (opts.uid) metadata.uid = opts.uid;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: { nodeName: 'n1', containers: [{ name: 'main', image: 'busybox:1.36' }] } };
}

/** The real client, recording each call drain makes ("list Pod", "watch Pod from 12", ...). */
function recording(client: ShoalClient): { client: NodesClient; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    client: {
      get: (kind, ns, name, o) => (calls.push(`get ${kind}`), client.get(kind, ns, name, o)),
      list: (kind, o) => (calls.push(`list ${kind}`), client.list(kind, o)),
      update: (obj, o) => (calls.push(`update ${obj.kind}`), client.update(obj, o)),
      delete: (kind, ns, name, o) => (calls.push(`delete ${kind}`), client.delete(kind, ns, name, o)),
      watch: (kind, o) => (calls.push(`watch ${kind} from ${o?.resourceVersion ?? ''} ${o?.fieldSelector ?? ''}`), client.watch(kind, o)),
    },
  };
}

async function releaseFinalizer(client: ShoalClient, name: string): Promise<void> {
  const pod = await client.get('Pod', 'default', name);
  await client.update({ ...pod, metadata: { ...pod.metadata, finalizers: [] } });
}

async function podGone(client: ShoalClient, name: string): Promise<boolean> {
  return (await client.list('Pod', { fieldSelector: `metadata.name=${name}` })).items.length === 0;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('drain waits through a watch (real API server)', () => {
  let api: ApiServer | undefined;
  let client: ShoalClient | undefined;
  let cleanup: (() => Promise<void>) | undefined;

  async function start(): Promise<{ config: ApiServerConfig; client: ShoalClient }> {
    const tmp = await tempDir('shoal-drain-');
    cleanup = tmp.cleanup;
    const config: ApiServerConfig = {
      dataDir: tmp.dir,
      listen: `127.0.0.1:${await freePort()}`,
      tokens: { [TEST_TOKEN]: { user: 'admin', groups: ['system:masters'] } },
    };
    api = await startApiServer(config);
    // Short backoff: the restart test's relist waits for the server to come back.
    client = new ShoalClient({ server: api.address, token: TEST_TOKEN, retry: { initialBackoffMs: 50, maxBackoffMs: 200, deadlineMs: 30_000 } });
    await client.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: {} });
    return { config, client };
  }

  afterEach(async () => {
    client?.close();
    await api?.stop();
    await cleanup?.();
    client = api = cleanup = undefined;
  });

  it('returns promptly once the last pod goes, not before, without polling', async () => {
    const { client } = await start();
    await client.create(boundPod('quick'));
    await client.create(boundPod('held', { finalizer: true }));
    const rec = recording(client);
    const io = captureIO();
    let finishedAt = 0;
    const result = drain(rec.client, { node: 'n1', gracePeriod: 0, timeoutSeconds: 30 }, io).then((code) => ((finishedAt = Date.now()), code));

    await eventually(async () => !!(await client.get('Pod', 'default', 'held')).metadata?.deletionTimestamp, 'held is terminating');
    await eventually(() => io.stdout.includes('pod/quick evicted'), 'quick evicted');
    // Held by its finalizer: drain must still be waiting a while later.
    await sleep(1000);
    expect(finishedAt).toBe(0);
    expect(io.stdout).not.toContain('pod/held evicted');

    const releasedAt = Date.now();
    await releaseFinalizer(client, 'held');
    expect(await result).toBe(0);
    expect(finishedAt).toBeGreaterThanOrEqual(releasedAt);
    // Loose for a loaded 2-core machine; a watch event usually lands within milliseconds.
    expect(finishedAt - releasedAt).toBeLessThan(2000);
    expect(await podGone(client, 'held')).toBe(true);

    expect(io.stdout[0]).toBe('node/n1 cordoned');
    expect(io.stdout.slice(1, 3).sort()).toEqual(['evicting pod default/held', 'evicting pod default/quick']);
    expect(io.stdout.slice(3)).toEqual(['pod/quick evicted', 'pod/held evicted', 'node/n1 drained']);
    expect(io.stderr).toEqual([]);
    // One list and one watch of the node's pods from that list's revision; no pod is read
    // again while waiting (a polling wait would show one "get Pod" per round).
    const rv = rec.calls.find((c) => c.startsWith('watch'))?.split(' ')[3];
    expect(Number(rv)).toBeGreaterThan(0);
    expect(rec.calls).toEqual(['get Node', 'update Node', 'list Pod', 'delete Pod', 'delete Pod', `watch Pod from ${rv} spec.nodeName=n1`]);
  });

  it('gives up at --timeout with a clear error when a pod stays', async () => {
    const { client } = await start();
    await client.create(boundPod('stuck', { finalizer: true }));
    const io = captureIO();
    const t0 = Date.now();
    expect(await drain(client, { node: 'n1', gracePeriod: 0, timeoutSeconds: 1 }, io)).toBe(1);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(4000);
    expect(io.stdout).toEqual(['node/n1 cordoned', 'evicting pod default/stuck']);
    const message = '[error when waiting for pod "stuck" in namespace "default" to terminate: global timeout reached: 1s]';
    expect(io.stderr).toEqual([
      `error: unable to drain node "n1" due to error: ${message}, continuing command...`,
      `There are pending nodes to be drained:\n n1\n${message}`,
    ]);
    expect((await client.get('Pod', 'default', 'stuck')).metadata?.deletionTimestamp).toBeTruthy();
  });

  it('re-lists and re-watches when the API server restarts mid-wait', async () => {
    const { config, client } = await start();
    await client.create(boundPod('held', { finalizer: true }));
    const rec = recording(client);
    const io = captureIO();
    const result = drain(rec.client, { node: 'n1', gracePeriod: 0, timeoutSeconds: 45 }, io);
    const watches = (): number => rec.calls.filter((c) => c.startsWith('watch')).length;
    await eventually(() => watches() === 1, 'the first watch');
    await eventually(async () => !!(await client.get('Pod', 'default', 'held')).metadata?.deletionTimestamp, 'held is terminating');

    await api!.stop();
    api = undefined;
    await sleep(300);
    api = await startApiServer(config);
    await eventually(() => watches() === 2, 'a second watch after the restart', 30_000);
    expect(io.stdout).not.toContain('pod/held evicted');

    await releaseFinalizer(client, 'held');
    expect(await result).toBe(0);
    expect(io.stdout).toEqual(['node/n1 cordoned', 'evicting pod default/held', 'pod/held evicted', 'node/n1 drained']);
    expect(rec.calls.filter((c) => c === 'list Pod')).toHaveLength(2);
    expect(watches()).toBe(2);
  });
});

// ---- the same wait against a scripted client ----

type WatchScript = (opts: WatchOptions) => AsyncIterable<WatchEvent>;

/** A client whose first list is drain's, later ones its relists; each watch call runs the
 * next script (the last one repeats). Deletes leave pods terminating. */
function scripted(lists: ListResult[], watches: WatchScript[]) {
  const calls: string[] = [];
  let listed = 0;
  let watched = 0;
  const nodeObj: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', resourceVersion: '1' }, spec: {} };
  const client: NodesClient = {
    get: () => Promise.resolve(structuredClone(nodeObj)),
    update: (obj) => Promise.resolve(obj),
    list: () => {
      calls.push('list');
      return Promise.resolve(structuredClone(lists[Math.min(listed++, lists.length - 1)]!));
    },
    delete: (_kind, _ns, name) => {
      calls.push(`delete ${name}`);
      return Promise.resolve({ object: boundPod(name), deleted: false });
    },
    watch: (_kind, opts = {}) => {
      calls.push(`watch ${opts.resourceVersion ?? ''}`);
      return watches[Math.min(watched++, watches.length - 1)]!(opts);
    },
  };
  return { client, calls };
}

function event(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: KubeObject, rv: string): WatchEvent {
  return { type, object: pod, resourceVersion: rv };
}

/** Yields `events`, then stays open until the watch's signal aborts. */
function stream(...events: WatchEvent[]): WatchScript {
  return async function* (opts) {
    for (const ev of events) yield ev;
    const signal = opts.signal;
    if (!signal) throw new Error('drain watched without a signal');
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  };
}

function failing(err: Error): WatchScript {
  // eslint-disable-next-line require-yield
  return async function* () {
    await Promise.resolve();
    throw err;
  };
}

describe('drain waits through a watch (scripted client)', () => {
  const held = boundPod('held', { uid: 'uid-1' });

  it('relists on an expired revision and sees the pod gone', async () => {
    const s = scripted([{ items: [held], resourceVersion: '5' }, { items: [], resourceVersion: '9' }], [failing(new ExpiredError('too old resource version: 5'))]);
    const io = captureIO();
    expect(await drain(s.client, { node: 'n1' }, io)).toBe(0);
    expect(s.calls).toEqual(['list', 'delete held', 'watch 5', 'list']);
    expect(io.stdout).toEqual(['node/n1 cordoned', 'evicting pod default/held', 'pod/held evicted', 'node/n1 drained']);
  });

  it('relists on an expired revision and watches on from the new one while the pod stays', async () => {
    const s = scripted(
      [{ items: [held], resourceVersion: '5' }, { items: [held], resourceVersion: '9' }],
      [failing(new ExpiredError('too old resource version: 5')), stream(event('DELETED', held, '10'))],
    );
    const io = captureIO();
    expect(await drain(s.client, { node: 'n1' }, io)).toBe(0);
    expect(s.calls).toEqual(['list', 'delete held', 'watch 5', 'list', 'watch 9']);
    expect(io.stdout.at(-1)).toBe('node/n1 drained');
  });

  it('counts a pod replaced under the same name (a new uid) as gone, and ignores other pods', async () => {
    const terminating = { ...held, metadata: { ...held.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } };
    const other = boundPod('other', { uid: 'uid-9' });
    const s = scripted(
      [{ items: [held], resourceVersion: '5' }],
      [stream(event('MODIFIED', terminating, '6'), event('DELETED', other, '7'), event('ADDED', boundPod('held', { uid: 'uid-2' }), '8'))],
    );
    const io = captureIO();
    expect(await drain(s.client, { node: 'n1', timeoutSeconds: 10 }, io)).toBe(0);
    expect(io.stdout).toEqual(['node/n1 cordoned', 'evicting pod default/held', 'pod/held evicted', 'node/n1 drained']);
  });

  it('does not count a pod as gone while it is only modified', async () => {
    const terminating = { ...held, metadata: { ...held.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } };
    const s = scripted([{ items: [held], resourceVersion: '5' }], [stream(event('MODIFIED', terminating, '6'))]);
    const io = captureIO();
    expect(await drain(s.client, { node: 'n1', timeoutSeconds: 1 }, io)).toBe(1);
    expect(io.stderr[0]).toContain('error when waiting for pod "held" in namespace "default" to terminate: global timeout reached: 1s');
    expect(s.calls).toEqual(['list', 'delete held', 'watch 5']);
  });

  it('gives up, bounded, when the stream keeps breaking', async () => {
    const s = scripted([{ items: [held], resourceVersion: '5' }], [failing(new UnavailableError('connection refused'))]);
    const io = captureIO();
    const t0 = Date.now();
    expect(await drain(s.client, { node: 'n1' }, io)).toBe(1);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(io.stderr[0]).toBe(
      'error: unable to drain node "n1" due to error: [error when waiting for pod "held" in namespace "default" to terminate: ' +
        'watching the pods on node "n1": gave up after 5 restarts in a row: connection refused], continuing command...',
    );
    // The first watch, then five relists each followed by a watch.
    expect(s.calls.filter((c) => c === 'list')).toHaveLength(6);
    expect(s.calls.filter((c) => c.startsWith('watch'))).toHaveLength(6);
  });

  it('stops at once on an error that a relist would not fix', async () => {
    const s = scripted([{ items: [held], resourceVersion: '5' }], [failing(new InvalidError([{ field: 'field_selector', message: 'unsupported' }]))]);
    const io = captureIO();
    expect(await drain(s.client, { node: 'n1' }, io)).toBe(1);
    expect(io.stderr[0]).toContain('error when waiting for pod "held" in namespace "default" to terminate: invalid: field_selector: unsupported');
    expect(s.calls).toEqual(['list', 'delete held', 'watch 5']);
  });

  it('stops waiting when interrupted', async () => {
    const s = scripted([{ items: [held], resourceVersion: '5' }], [stream()]);
    const ac = new AbortController();
    const io = captureIO(ac.signal);
    setTimeout(() => ac.abort(), 200);
    expect(await drain(s.client, { node: 'n1' }, io)).toBe(1);
    expect(io.stderr[0]).toContain('error when waiting for pod "held" in namespace "default" to terminate: interrupted');
  });
});
