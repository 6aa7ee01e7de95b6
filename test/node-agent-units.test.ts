// Node agent units: syncPod against a fake driver and a fake client that record what they are
// asked to do (as sample-controller tests its reconcile), and the pure parts: status, phase,
// back-off and probe handlers.
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShoalClient } from '../lib/client.js';
import { NotFoundError } from '../lib/errors.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { KubeObject } from '../lib/kinds.js';
import { Backoff } from '../services/node-agent/backoff.js';
import type {
  ContainerDriver,
  ContainerHandle,
  ContainerSpec,
  ContainerStatus,
  ExecOptions,
  NodeFingerprint,
  PodRef,
  Sandbox,
  SandboxSpec,
} from '../services/node-agent/driver.js';
import { expandVars } from '../services/node-agent/env.js';
import { newAgentMetrics } from '../services/node-agent/metrics.js';
import { PodManager } from '../services/node-agent/pod-worker.js';
import { runHandler } from '../services/node-agent/probes.js';
import { buildPodStatus, podPhase, type ContainerView } from '../services/node-agent/status.js';
import { tempDir } from './harness.js';

type Exited = ContainerStatus & { state: 'exited' };

/** A driver whose containers run until the test ends them with exit(). */
class FakeDriver implements ContainerDriver {
  readonly name = 'fake';
  readonly calls: string[] = [];
  readonly containers = new Map<string, ContainerHandle>();
  /** When set, a graceful stop (grace > 0) waits for it: a container that uses its grace. */
  stopGate?: Promise<void>;
  /** When set, ensureSandbox fails with it. */
  sandboxError?: Error;
  private readonly waiters = new Map<string, ((s: Exited) => void)[]>();

  fingerprint(): Promise<NodeFingerprint> {
    return Promise.resolve({ capacity: { cpu: '2', memory: '1Gi', pods: '110' }, runtimeVersion: 'fake://1', kernelVersion: '', osImage: '', architecture: 'amd64', internalIP: '10.0.0.1' });
  }
  ensureSandbox(spec: SandboxSpec): Promise<Sandbox> {
    this.calls.push(`ensureSandbox ${spec.pod.name}`);
    if (this.sandboxError) return Promise.reject(this.sandboxError);
    return Promise.resolve({ id: `sb-${spec.pod.uid}`, ip: '10.1.0.5' });
  }
  pullImage(image: string): Promise<void> {
    this.calls.push(`pull ${image}`);
    return Promise.resolve();
  }
  startContainer(spec: ContainerSpec): Promise<ContainerHandle> {
    const id = `${spec.pod.name}-${spec.name}-${spec.attempt}`;
    this.calls.push(`start ${id}`);
    const h: ContainerHandle = {
      id,
      pod: spec.pod,
      name: spec.name,
      role: 'container',
      attempt: spec.attempt,
      status: { state: 'running', startedAt: new Date().toISOString() },
      image: spec.image,
      imageID: 'sha256:abc',
    };
    this.containers.set(id, h);
    return Promise.resolve(h);
  }
  /** The container ends with `code`. */
  exit(id: string, code: number): void {
    const h = this.containers.get(id)!;
    const status: Exited = { state: 'exited', exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: (h.status as { startedAt: string }).startedAt, finishedAt: new Date().toISOString() };
    h.status = status;
    for (const w of this.waiters.get(id) ?? []) w(status);
    this.waiters.delete(id);
  }
  waitContainer(id: string, signal?: AbortSignal): Promise<Exited> {
    const h = this.containers.get(id);
    if (!h) return Promise.reject(new NotFoundError(id));
    if (h.status.state === 'exited') return Promise.resolve(h.status);
    return new Promise((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]);
    });
  }
  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    this.calls.push(`stop ${id} ${graceSeconds}`);
    if (graceSeconds > 0 && this.stopGate) await this.stopGate;
    if (this.containers.get(id)?.status.state === 'running') this.exit(id, 143);
  }
  removeContainer(id: string): Promise<void> {
    this.calls.push(`remove ${id}`);
    this.containers.delete(id);
    return Promise.resolve();
  }
  removeSandbox(pod: PodRef): Promise<void> {
    this.calls.push(`removeSandbox ${pod.name}`);
    return Promise.resolve();
  }
  inspect(id: string): Promise<ContainerHandle | undefined> {
    return Promise.resolve(this.containers.get(id));
  }
  recover(): Promise<ContainerHandle[]> {
    return Promise.resolve([...this.containers.values()]);
  }
  ensureVolume(name: string): Promise<void> {
    this.calls.push(`ensureVolume ${name}`);
    return Promise.resolve();
  }
  exec(_id: string, _opts: ExecOptions): Promise<number> {
    return Promise.resolve(0);
  }
  logs(): Promise<Readable> {
    return Promise.resolve(Readable.from([]));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The client calls PodManager makes, against one stored pod. */
class FakeClient {
  readonly actions: string[] = [];
  pod: Pod__Output | undefined;
  /** When set, updateStatus fails with it. */
  statusError?: Error;
  /** When set, delete fails with it. */
  deleteError?: Error;
  private rv = 1;

  constructor(pod: Pod__Output) {
    this.pod = structuredClone(pod);
  }
  get(kind: string, _ns: string, name: string): Promise<KubeObject> {
    if (kind === 'Pod' && this.pod && this.pod.metadata?.name === name) return Promise.resolve(structuredClone(this.pod) as KubeObject);
    return Promise.reject(new NotFoundError(`${kind} ${name} not found`));
  }
  updateStatus(obj: KubeObject): Promise<KubeObject> {
    const p = obj as Pod__Output;
    if (this.statusError) return Promise.reject(this.statusError);
    this.actions.push(`updateStatus ${p.status?.phase ?? ''} ${(p.status?.containerStatuses ?? []).map((c) => Object.keys(c.state ?? {})[0] ?? '').join(',')}`);
    this.pod = { ...this.pod!, status: p.status, metadata: { ...this.pod!.metadata, resourceVersion: String(++this.rv) } };
    return Promise.resolve(structuredClone(this.pod) as KubeObject);
  }
  delete(kind: string, _ns: string, name: string, opts: { gracePeriodSeconds?: number }): Promise<{ object: KubeObject; deleted: boolean }> {
    this.actions.push(`delete ${kind} ${name} grace=${opts.gracePeriodSeconds ?? '-'}`);
    if (this.deleteError) return Promise.reject(this.deleteError);
    const object = this.pod as KubeObject;
    this.pod = undefined;
    return Promise.resolve({ object, deleted: true });
  }
}

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

function testPod(spec: Record<string, unknown> = {}): Pod__Output {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1', resourceVersion: '1', creationTimestamp: new Date().toISOString() },
    spec: { nodeName: 'n1', restartPolicy: 'Always', terminationGracePeriodSeconds: 5, containers: [{ name: 'main', image: 'img:1', imagePullPolicy: 'IfNotPresent' }], ...spec },
  };
}

async function harness(pod: Pod__Output) {
  const { dir, cleanup } = await tempDir('shoal-agent-unit-');
  const driver = new FakeDriver();
  const client = new FakeClient(pod);
  const queued: string[] = [];
  const abort = new AbortController();
  const manager = new PodManager({
    nodeName: 'n1',
    driver,
    client: client as unknown as ShoalClient,
    dataDir: dir,
    hostIP: '10.0.0.1',
    nodeCpu: 2,
    nodeMemory: 2 ** 30,
    backoff: { initialMs: 50, maxMs: 400, resetAfterMs: 60_000 },
    metrics: newAgentMetrics('n1', () => 0),
    logger: quiet,
    // The informer's view: the client's stored pod.
    getPod: () => (client.pod ? structuredClone(client.pod) : undefined),
    enqueue: (key) => queued.push(key),
    signal: abort.signal,
  });
  return {
    driver,
    client,
    manager,
    queued,
    async done() {
      manager.shutdown();
      abort.abort();
      await cleanup();
    },
  };
}

/** `p`, or a failure if it takes longer than `ms`: a sync that waits out a grace period. */
async function soon<T>(p: Promise<T>, what: string, ms = 2_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('syncPod', () => {
  let h: Awaited<ReturnType<typeof harness>> | undefined;
  afterEach(async () => {
    await h?.done();
    h = undefined;
  });

  it('starts a new pod: sandbox, pull, container, then a Running status; a second pass does nothing', async () => {
    h = await harness(testPod());
    const r = await h.manager.sync('default/web');
    expect(h.driver.calls).toEqual(['ensureSandbox web', 'pull img:1', 'start web-main-0']);
    expect(h.client.actions).toEqual(['updateStatus Running running']);
    expect(h.client.pod?.status).toMatchObject({ phase: 'Running', podIP: '10.1.0.5', hostIP: '10.0.0.1' });
    expect(h.client.pod?.status?.containerStatuses?.[0]).toMatchObject({ containerID: 'fake://web-main-0', ready: true, restartCount: 0, imageID: 'sha256:abc' });
    expect(r).toMatchObject({ requeueAfter: 60_000 });

    h.driver.calls.length = 0;
    h.client.actions.length = 0;
    await h.manager.sync('default/web');
    expect(h.driver.calls).toEqual([]);
    expect(h.client.actions).toEqual([]);
  });

  it('backs off a crashed container, then restarts it as the next attempt', async () => {
    h = await harness(testPod());
    await h.manager.sync('default/web');
    h.driver.exit('web-main-0', 1);
    await new Promise((r) => setImmediate(r));
    expect(h.queued).toContain('default/web');
    h.driver.calls.length = 0;
    const r = await h.manager.sync('default/web');
    expect(h.driver.calls).toEqual([]);
    const cs = h.client.pod?.status?.containerStatuses?.[0];
    expect(cs?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(cs?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error', containerID: 'fake://web-main-0' });
    expect(h.client.pod?.status?.phase).toBe('Running');
    expect((r as { requeueAfter: number }).requeueAfter).toBeGreaterThan(0);
    expect((r as { requeueAfter: number }).requeueAfter).toBeLessThanOrEqual(50);

    await new Promise((r2) => setTimeout(r2, 60));
    await h.manager.sync('default/web');
    expect(h.driver.calls).toEqual(['pull img:1', 'start web-main-1']);
    expect(h.client.pod?.status?.containerStatuses?.[0]).toMatchObject({ restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1 } } });

    // The second crash waits twice as long.
    h.driver.exit('web-main-1', 1);
    await new Promise((r2) => setImmediate(r2));
    const r3 = await h.manager.sync('default/web');
    expect((r3 as { requeueAfter: number }).requeueAfter).toBeGreaterThan(50);
  });

  it('ends a restartPolicy Never pod as Failed and starts nothing again', async () => {
    h = await harness(testPod({ restartPolicy: 'Never' }));
    await h.manager.sync('default/web');
    h.driver.exit('web-main-0', 2);
    await new Promise((r) => setImmediate(r));
    h.driver.calls.length = 0;
    const r = await h.manager.sync('default/web');
    expect(r).toBeUndefined();
    expect(h.client.pod?.status?.phase).toBe('Failed');
    expect(h.client.pod?.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 2 });
    // The ended pod's sandbox is released; its containers stay for logs.
    expect(h.driver.calls).toEqual(['removeSandbox web']);
    h.driver.calls.length = 0;
    await h.manager.sync('default/web');
    expect(h.driver.calls).toEqual([]);
  });

  it('finishes a graceful deletion: stop with the grace period, remove, delete with grace 0', async () => {
    h = await harness(testPod());
    await h.manager.sync('default/web');
    h.driver.calls.length = 0;
    h.client.actions.length = 0;
    h.client.pod!.metadata = { ...h.client.pod!.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 7 };
    await h.manager.sync('default/web');
    // The termination runs in the background; its end queues the key again.
    h.queued.length = 0;
    await h.manager.idle();
    expect(h.queued).toContain('default/web');
    expect(h.driver.calls).toEqual(['stop web-main-0 7', 'stop web-main-0 0', 'remove web-main-0', 'removeSandbox web']);
    expect(h.client.actions).toEqual(['delete Pod web grace=0']);
    expect(h.manager.keys()).toEqual([]);
  });

  it('terminates a deleted pod in the background: sync returns at once, later syncs do not start it again', async () => {
    h = await harness(testPod());
    await h.manager.sync('default/web');
    h.driver.calls.length = 0;
    h.client.actions.length = 0;
    let release!: () => void;
    h.driver.stopGate = new Promise<void>((r) => (release = r));
    h.client.pod!.metadata = { ...h.client.pod!.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 };
    // The container takes its grace period to stop: the sync does not wait for it.
    expect(await h.manager.sync('default/web')).toBeUndefined();
    expect(h.driver.calls).toEqual(['stop web-main-0 30']);
    // Later syncs (its container's exit, an update) see the termination under way.
    h.queued.length = 0;
    expect(await h.manager.sync('default/web')).toBeUndefined();
    expect(await h.manager.sync('default/web')).toBeUndefined();
    expect(h.driver.calls).toEqual(['stop web-main-0 30']);
    expect(h.client.actions).toEqual([]);
    expect(h.manager.keys()).toEqual(['default/web']);
    release();
    await h.manager.idle();
    expect(h.driver.calls).toEqual(['stop web-main-0 30', 'stop web-main-0 0', 'remove web-main-0', 'removeSandbox web']);
    expect(h.client.actions).toEqual(['delete Pod web grace=0']);
    expect(h.manager.keys()).toEqual([]);
    // Its end queues the key (so does the container's exit); that sync finds nothing to do.
    expect(h.queued).toContain('default/web');
    h.driver.calls.length = 0;
    await h.manager.sync('default/web');
    expect(h.driver.calls).toEqual([]);
  });

  it('kills a container for a restart in the background: later syncs neither stop nor start it, the sync after the stop restarts it', async () => {
    h = await harness(testPod());
    await h.manager.sync('default/web');
    h.driver.calls.length = 0;
    h.client.actions.length = 0;
    let release!: () => void;
    h.driver.stopGate = new Promise<void>((r) => (release = r));
    // A changed image: stop (the pod's 5 s grace), then start the new one.
    h.client.pod!.spec!.containers![0]!.image = 'img:2';
    // The container takes its grace period to stop: the sync does not wait for it.
    expect(await soon(h.manager.sync('default/web'), 'the sync that starts the kill')).toBeUndefined();
    expect(h.driver.calls).toEqual(['stop web-main-0 5']);
    // Later syncs (its exit, an update, a probe) see the kill under way.
    expect(await h.manager.sync('default/web')).toBeUndefined();
    expect(h.driver.calls).toEqual(['stop web-main-0 5']);
    expect(h.client.actions).toEqual([]);
    h.queued.length = 0;
    release();
    await h.manager.idle();
    expect(h.queued).toContain('default/web');
    await h.manager.sync('default/web');
    expect(h.driver.calls).toEqual(['stop web-main-0 5', 'pull img:2', 'start web-main-1']);
    expect(h.client.pod?.status?.containerStatuses?.[0]).toMatchObject({
      image: 'img:2',
      restartCount: 1,
      state: { running: {} },
      lastState: { terminated: { exitCode: 143, containerID: 'fake://web-main-0' } },
    });
  });

  it('cuts a kill under way short when the pod is force-deleted, then tears the pod down', async () => {
    h = await harness(testPod({ terminationGracePeriodSeconds: 30 }));
    await h.manager.sync('default/web');
    h.driver.calls.length = 0;
    let release!: () => void;
    h.driver.stopGate = new Promise<void>((r) => (release = r));
    h.client.pod!.spec!.containers![0]!.image = 'img:2';
    await soon(h.manager.sync('default/web'), 'the sync that starts the kill');
    expect(h.driver.calls).toEqual(['stop web-main-0 30']);
    // Gone from the API: the informer's handler shortens the stop under way at once.
    h.client.pod = undefined;
    h.manager.observe('default/web', undefined);
    expect(h.driver.calls).toEqual(['stop web-main-0 30', 'stop web-main-0 2']);
    // The teardown waits for the kill (one stop at a time), then runs.
    await h.manager.sync('default/web');
    expect(h.driver.calls).toEqual(['stop web-main-0 30', 'stop web-main-0 2']);
    release();
    await h.manager.idle();
    await h.manager.sync('default/web');
    await h.manager.idle();
    expect(h.driver.calls).toEqual(['stop web-main-0 30', 'stop web-main-0 2', 'stop web-main-0 0', 'remove web-main-0', 'removeSandbox web']);
    expect(h.manager.keys()).toEqual([]);
  });

  it('stops a pod past its activeDeadlineSeconds in the background, and reports it Failed once its containers have stopped', async () => {
    const p = testPod({ activeDeadlineSeconds: 3600 });
    p.status = { startTime: new Date(Date.now() - 10_000).toISOString() };
    h = await harness(p);
    await h.manager.sync('default/web');
    expect(h.driver.calls).toEqual(['ensureSandbox web', 'pull img:1', 'start web-main-0']);
    h.driver.calls.length = 0;
    h.client.actions.length = 0;
    let release!: () => void;
    h.driver.stopGate = new Promise<void>((r) => (release = r));
    // A shorter deadline, already past.
    h.client.pod!.spec!.activeDeadlineSeconds = 5;
    expect(await soon(h.manager.sync('default/web'), 'the sync that starts the stop')).toBeUndefined();
    expect(h.driver.calls).toEqual(['stop web-main-0 5']);
    expect(await h.manager.sync('default/web')).toBeUndefined();
    expect(h.driver.calls).toEqual(['stop web-main-0 5']);
    // Not Failed while its container may still run.
    expect(h.client.actions).toEqual([]);
    release();
    await h.manager.idle();
    await h.manager.sync('default/web');
    expect(h.client.actions).toEqual(['updateStatus Failed terminated']);
    expect(h.client.pod?.status).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded' });
    expect(h.client.pod?.status?.containerStatuses?.[0]).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 143 } } });
    // Ended: its sandbox goes, nothing starts again.
    h.driver.calls.length = 0;
    await h.manager.sync('default/web');
    await h.manager.sync('default/web');
    expect(h.driver.calls).toEqual(['removeSandbox web']);
  });

  it('does not take a pod whose deletion it completed for a new one while the informer still has it', async () => {
    h = await harness(testPod());
    await h.manager.sync('default/web');
    const deleting = { ...h.client.pod!, metadata: { ...h.client.pod!.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 1 } };
    h.client.pod = structuredClone(deleting);
    await h.manager.sync('default/web');
    await h.manager.idle();
    expect(h.client.pod).toBeUndefined();
    // The informer lags: it still has the pod.
    h.client.pod = structuredClone(deleting);
    h.driver.calls.length = 0;
    await h.manager.sync('default/web');
    await h.manager.idle();
    expect(h.driver.calls).toEqual([]);
    expect(h.manager.keys()).toEqual([]);
  });

  it('reports a failed termination to the work queue once, and the retry starts it again', async () => {
    h = await harness(testPod());
    await h.manager.sync('default/web');
    h.client.deleteError = new Error('API server away');
    h.client.pod!.metadata = { ...h.client.pod!.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 3 };
    await h.manager.sync('default/web');
    await h.manager.idle();
    expect(h.manager.keys()).toEqual(['default/web']);
    await expect(h.manager.sync('default/web')).rejects.toThrow('API server away');
    h.client.deleteError = undefined;
    h.client.actions.length = 0;
    await h.manager.sync('default/web');
    await h.manager.idle();
    expect(h.client.actions).toEqual(['delete Pod web grace=0']);
    expect(h.manager.keys()).toEqual([]);
  });

  it('reports the error of a failed pass, not that of the status write after it', async () => {
    h = await harness(testPod());
    h.driver.sandboxError = new Error('no network for the sandbox');
    h.client.statusError = new Error('status write refused');
    await expect(h.manager.sync('default/web')).rejects.toThrow('no network for the sandbox');
    // Without an error of its own, a pass reports the failed status write.
    h.driver.sandboxError = undefined;
    await expect(h.manager.sync('default/web')).rejects.toThrow('status write refused');
  });

  it('re-adopts running containers without starting any, and tears down those of a vanished pod', async () => {
    h = await harness(testPod());
    await h.manager.sync('default/web');
    // A new agent: same driver state, fresh manager.
    const driver = h.driver;
    const pod = h.client.pod!;
    await h.done();
    h = await harness(pod);
    for (const [id, c] of driver.containers) h.driver.containers.set(id, c);
    h.driver.containers.set('gone-main-0', { ...driver.containers.get('web-main-0')!, id: 'gone-main-0', pod: { uid: 'uid-gone', namespace: 'default', name: 'gone' } });
    const keys = h.manager.adopt(await h.driver.recover(), [pod]);
    expect(keys.sort()).toEqual(['default/gone', 'default/web']);
    await h.manager.sync('default/web');
    await h.manager.sync('default/gone');
    await h.manager.idle();
    expect(h.driver.calls).toEqual(['ensureSandbox web', 'stop gone-main-0 2', 'stop gone-main-0 0', 'remove gone-main-0', 'removeSandbox gone']);
    expect(h.client.actions).toEqual([]);
  });
});

describe('pod status', () => {
  const view = (name: string, state: 'running' | 'exited' | 'none', extra: Partial<ContainerView> = {}): ContainerView => {
    const v: ContainerView = { name, image: 'img', restartCount: 0, ready: state === 'running', started: state === 'running', ...extra };
    if (state === 'running') v.current = { id: name, pod: { uid: 'u', namespace: 'n', name: 'p' }, name, role: 'container', attempt: 0, image: 'img', imageID: '', status: { state: 'running', startedAt: '2024-01-01T00:00:00Z' } };
    if (state === 'exited') {
      v.current = { id: name, pod: { uid: 'u', namespace: 'n', name: 'p' }, name, role: 'container', attempt: 0, image: 'img', imageID: '', status: { state: 'exited', exitCode: extra.restartCount ?? 0, reason: 'Completed', finishedAt: '2024-01-01T00:00:01Z' } };
    }
    return v;
  };

  it('computes the phase as the kubelet does', () => {
    expect(podPhase('Always', true, false, [view('a', 'running')])).toBe('Running');
    expect(podPhase('Always', true, false, [view('a', 'none')])).toBe('Pending');
    expect(podPhase('Always', false, false, [view('a', 'none')])).toBe('Pending');
    expect(podPhase('Never', false, true, [view('a', 'none')])).toBe('Failed');
    expect(podPhase('Always', true, false, [view('a', 'exited', { restartCount: 1 })])).toBe('Running');
    expect(podPhase('Never', true, false, [view('a', 'exited')])).toBe('Succeeded');
    expect(podPhase('OnFailure', true, false, [view('a', 'exited', { restartCount: 1 })])).toBe('Running');
    expect(podPhase('Never', true, false, [view('a', 'exited', { restartCount: 1 }), view('b', 'exited')])).toBe('Failed');
    expect(podPhase('Never', true, false, [view('a', 'exited'), view('b', 'running')])).toBe('Running');
  });

  it('keeps lastTransitionTime while a condition holds and PodScheduled as the scheduler set it', () => {
    const pod = {
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'a' }] },
      status: {
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: '2020-01-01T00:00:00Z' },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: '2019-01-01T00:00:00Z' },
        ],
      },
    } as Pod__Output;
    const s = buildPodStatus({ pod, driverName: 'docker', hostIP: '1.2.3.4', podIP: '10.0.0.9', initContainers: [], containers: [view('a', 'running')], initialized: true }, 'Running');
    expect(s.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe('2020-01-01T00:00:00Z');
    expect(s.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime).toBe('2019-01-01T00:00:00Z');
    expect(s.containerStatuses?.[0]?.containerID).toBe('docker://a');
    expect(s.qosClass).toBe('BestEffort');
    const notReady = buildPodStatus({ pod, driverName: 'docker', hostIP: '1.2.3.4', initContainers: [], containers: [view('a', 'running', { ready: false })], initialized: true }, 'Running');
    expect(notReady.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [a]' });
    expect(notReady.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime).not.toBe('2020-01-01T00:00:00Z');
  });
});

describe('back-off, env expansion and probe handlers', () => {
  it('doubles up to the cap and forgets after a long run', () => {
    const b = new Backoff({ initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 });
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => b.failed(0))).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    expect(b.failed(0, 600_000)).toBe(10_000);
  });

  it('expands $(VAR) references as Kubernetes does', () => {
    expect(expandVars('$(A)-$(B)-$$(A)-$(MISSING)', { A: 'x', B: 'y' })).toBe('x-y-$(A)-$(MISSING)');
  });

  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('runs httpGet (200-399 pass; named ports), tcpSocket and exec handlers with timeouts', async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 500);
      res.writeHead(req.url === '/ok' ? 204 : req.url === '/moved' ? 302 : 500);
      res.end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const driver = new FakeDriver();
    const target = { containerId: 'c', podIP: '127.0.0.1', ports: [{ name: 'http', containerPort: port }] };
    const http = (path: string, p: { intVal?: number; strVal?: string } = { intVal: port }) => runHandler(driver, { httpGet: { path, port: p } }, target, 200);
    expect((await http('/ok')).ok).toBe(true);
    expect((await http('/moved', { strVal: 'http' })).ok).toBe(true);
    expect(await http('/fail')).toMatchObject({ ok: false, message: 'HTTP probe failed with statuscode: 500' });
    expect(await http('/slow')).toMatchObject({ ok: false, message: 'timed out after 200 ms' });
    expect((await http('/ok', { strVal: 'nope' })).ok).toBe(false);

    const tcp = createTcpServer((s) => s.end());
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const tport = (tcp.address() as AddressInfo).port;
    expect((await runHandler(driver, { tcpSocket: { port: { intVal: tport } } }, target, 500)).ok).toBe(true);
    tcp.close();
    await new Promise((r) => setTimeout(r, 20));
    expect((await runHandler(driver, { tcpSocket: { port: { intVal: tport } } }, target, 500)).ok).toBe(false);

    const failing = Object.assign(new FakeDriver(), {
      exec: (_id: string, o: ExecOptions) => {
        o.stdout.write('not healthy');
        return Promise.resolve(1);
      },
    });
    expect(await runHandler(failing, { exec: { command: ['check'] } }, target, 500)).toMatchObject({ ok: false, message: 'command exited with 1: not healthy' });
    const hanging = Object.assign(new FakeDriver(), {
      exec: (_id: string, o: ExecOptions) =>
        new Promise<number>((_, reject) => o.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true })),
    });
    expect(await runHandler(hanging, { exec: { command: ['sleep'] } }, target, 100)).toMatchObject({ ok: false });
  });
});
