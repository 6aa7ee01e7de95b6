// The Job and CronJob controllers: reconcile(key) against a fake client that records actions
// (and a fake clock), then both controllers in a ControllerManager against a real API server,
// with pod completion simulated by writing pod status (no nodes).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import type { ShoalClient } from '../lib/client.js';
import { AlreadyExistsError, NotFoundError, UnavailableError } from '../lib/errors.js';
import type { CronJobStatus__Output } from '../lib/gen/shoal/v1/CronJobStatus.js';
import type { JobStatus__Output } from '../lib/gen/shoal/v1/JobStatus.js';
import type { EventHandlers, Informer } from '../lib/informer.js';
import type { KubeObject } from '../lib/kinds.js';
import { WorkQueue, type ReconcileResult } from '../lib/workqueue.js';
import { ControllerManager, type Controller, type ControllerContext } from '../services/controllers/framework.js';
import { timestamp } from '../lib/conditions.js';
import { JOB_TRACKING_FINALIZER, MAX_UNCOUNTED_PODS, makeJobController } from '../services/controllers/job.js';
import { CRONJOB_SCHEDULED_ANNOTATION, makeCronJobController } from '../services/controllers/cronjob.js';
import { parseSchedule } from '../services/controllers/cron.js';
import { createJobFromCronJob } from '../cli/jobs.js';
import { eventually, startTestCluster, type TestCluster } from './harness.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const loud = process.env.SHOAL_TEST_LOG ? console : quiet;

// ---- a fake API: informer caches kept in step with a recording client ----

class FakeInformer {
  readonly objs = new Map<string, KubeObject>();
  private readonly handlers: EventHandlers[] = [];
  /** The revision the cache reflects (Informer.lastRevision): current unless a test says. */
  lastRevision = Number.MAX_SAFE_INTEGER;
  addEventHandler(h: EventHandlers): () => void {
    this.handlers.push(h);
    return () => {};
  }
  get(namespace: string, name: string): KubeObject | undefined {
    return this.objs.get(`${namespace}/${name}`);
  }
  list(opts: { namespace?: string } = {}): KubeObject[] {
    return [...this.objs.values()].filter((o) => !opts.namespace || o.metadata?.namespace === opts.namespace);
  }
  put(obj: KubeObject): void {
    const key = `${obj.metadata?.namespace}/${obj.metadata?.name}`;
    const old = this.objs.get(key);
    this.objs.set(key, obj);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, obj);
      else h.onAdd?.(obj);
    }
  }
  remove(obj: KubeObject): void {
    this.objs.delete(`${obj.metadata?.namespace}/${obj.metadata?.name}`);
    for (const h of this.handlers) h.onDelete?.(obj);
  }
}

const later = <T>(fn: () => T): Promise<T> => Promise.resolve().then(fn);

class FakeCluster {
  readonly informers: Record<string, FakeInformer> = { Job: new FakeInformer(), Pod: new FakeInformer(), CronJob: new FakeInformer(), Event: new FakeInformer() };
  /** "create Pod default/j-1", "update-status Job default/j", ... (Events separately: `events`
   * lists the Events created, the Event informer holds them with their counts). */
  actions: string[] = [];
  events: string[] = [];
  /** Every Job status written, in order. */
  jobStatuses: JobStatus__Output[] = [];
  /** Makes a write fail (before it happens) when it returns an error. */
  failWrite?: (verb: string, obj: KubeObject) => Error | undefined;
  /** What client.list returns instead of the informer's cache (a store newer than the cache). */
  listSource?: () => KubeObject[];
  clock = Date.parse('2024-03-10T12:00:00Z');
  private seq = 0;
  private nameSeq = 0;

  readonly client = {
    create: (obj: KubeObject): Promise<KubeObject> => later(() => {
      const o = structuredClone(obj);
      const m = (o.metadata ??= {});
      if (!m.name && m.generateName) m.name = `${m.generateName}${++this.nameSeq}`;
      if (o.kind === 'Event') {
        if (this.informers.Event!.get(m.namespace ?? '', m.name ?? '')) throw new AlreadyExistsError(`Event ${m.name} exists`);
        this.events.push(`${String(o.type)} ${String(o.reason)}`);
        m.uid = `uid-${m.name}`;
        m.resourceVersion = String(++this.seq);
        this.informers.Event!.put(o);
        return o;
      }
      const inf = this.inf(o.kind);
      if (inf.get(m.namespace ?? '', m.name ?? '')) throw new AlreadyExistsError(`${o.kind} ${m.name} exists`);
      m.uid = `uid-${m.name}`;
      m.resourceVersion = String(++this.seq);
      m.creationTimestamp = timestamp(this.clock);
      this.actions.push(`create ${o.kind} ${m.namespace}/${m.name}`);
      inf.put(o);
      return o;
    }),
    update: (obj: KubeObject): Promise<KubeObject> => later(() => this.write('update', obj)),
    updateStatus: (obj: KubeObject): Promise<KubeObject> => later(() => this.write('update-status', obj)),
    list: (kind: string, opts: { namespace?: string } = {}): Promise<{ items: KubeObject[]; resourceVersion: string }> => later(() => {
      this.actions.push(`list ${kind} ${opts.namespace ?? ''}`);
      const items = this.listSource?.() ?? this.inf(kind).list(opts);
      return { items: structuredClone(items.filter((o) => !opts.namespace || o.metadata?.namespace === opts.namespace)), resourceVersion: String(this.seq) };
    }),
    get: (kind: string, namespace: string, name: string): Promise<KubeObject> => later(() => {
      const o = this.inf(kind).get(namespace, name);
      if (!o) throw new NotFoundError(`${kind} ${name} not found`);
      return structuredClone(o);
    }),
    delete: (kind: string, namespace: string, name: string, opts: { propagationPolicy?: string } = {}) => later(() => {
      const inf = this.inf(kind);
      const o = inf.get(namespace, name);
      if (!o) throw new NotFoundError(`${kind} ${name} not found`);
      this.actions.push(`delete ${kind} ${namespace}/${name}${opts.propagationPolicy ? ` ${opts.propagationPolicy}` : ''}`);
      if (o.metadata?.finalizers?.length) {
        const n = structuredClone(o);
        n.metadata!.deletionTimestamp = timestamp(this.clock);
        n.metadata!.resourceVersion = String(++this.seq);
        inf.put(n);
        return { object: n, deleted: false };
      }
      inf.remove(o);
      return { object: o, deleted: true };
    }),
  };

  private inf(kind: string | undefined): FakeInformer {
    const inf = this.informers[kind ?? ''];
    if (!inf) throw new Error(`fake: no kind ${kind}`);
    return inf;
  }

  private write(verb: string, obj: KubeObject): KubeObject {
    const err = this.failWrite?.(verb, obj);
    if (err) throw err;
    const inf = this.inf(obj.kind);
    const m = obj.metadata ?? {};
    const old = inf.get(m.namespace ?? '', m.name ?? '');
    if (!old) throw new NotFoundError(`${obj.kind} ${m.name} not found`);
    const o = structuredClone(obj);
    if (verb === 'update-status') {
      o.metadata = structuredClone(old.metadata);
      o.spec = structuredClone(old.spec);
    } else {
      o.status = structuredClone(old.status);
    }
    o.metadata!.resourceVersion = String(++this.seq);
    if (obj.kind !== 'Event') this.actions.push(`${verb} ${obj.kind} ${m.namespace}/${m.name}`);
    if (verb === 'update-status' && obj.kind === 'Job') this.jobStatuses.push(structuredClone(o.status ?? {}));
    // The API server removes an object marked for deletion when its last finalizer goes.
    if (o.metadata?.deletionTimestamp && !o.metadata.finalizers?.length) inf.remove(o);
    else inf.put(o);
    return o;
  }

  /** Adds an object as if created by someone else (not recorded). */
  seed(obj: KubeObject): KubeObject {
    const o = structuredClone(obj);
    const m = (o.metadata ??= {});
    m.namespace ??= 'default';
    m.uid ??= `uid-${m.name}`;
    m.resourceVersion = String(++this.seq);
    m.creationTimestamp ??= timestamp(this.clock);
    this.inf(o.kind).put(o);
    return o;
  }

  /** Sets a pod's phase as a kubelet would (with a terminated container for Succeeded/Failed). */
  setPhase(pod: KubeObject, phase: 'Running' | 'Succeeded' | 'Failed', ready = false): void {
    const p = structuredClone(this.informers.Pod!.get(pod.metadata!.namespace!, pod.metadata!.name!)!);
    const terminated = phase === 'Running' ? undefined : { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: timestamp(this.clock) };
    p.status = {
      phase,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'main', state: terminated ? { terminated } : { running: {} } }],
    };
    p.metadata!.resourceVersion = String(++this.seq);
    this.informers.Pod!.put(p);
  }

  ctx(): ControllerContext {
    return {
      client: this.client as unknown as ShoalClient,
      informer: (kind) => this.inf(kind) as unknown as Informer,
      metrics: new Registry(),
      logger: quiet,
      now: () => this.clock,
    };
  }

  pods(filter: (p: KubeObject) => boolean = () => true): KubeObject[] {
    return this.informers.Pod!.list().filter(filter);
  }

  activePods(): KubeObject[] {
    return this.pods((p) => !p.metadata?.deletionTimestamp && !['Succeeded', 'Failed'].includes((p.status as { phase?: string } | undefined)?.phase ?? ''));
  }

  take(): string[] {
    const a = this.actions;
    this.actions = [];
    return a;
  }
}

function start(controller: Controller, fake: FakeCluster): { reconcile: (key: string) => Promise<ReconcileResult | void>; queue: WorkQueue<string> } {
  const queue = new WorkQueue<string>();
  const reconcile = controller.setup(fake.ctx(), queue);
  return { reconcile, queue };
}

function job(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      template: { metadata: { labels: { app: name } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] } },
      ...spec,
    },
  };
}

const jobStatus = (fake: FakeCluster, name: string): JobStatus__Output => (fake.informers.Job!.get('default', name)?.status ?? {});
const condition = (s: JobStatus__Output | undefined, type: string) => s?.conditions?.find((c) => c.type === type && c.status === 'True');

// ---- Job: unit ----

describe('Job controller (fake client)', () => {
  const queues: WorkQueue<string>[] = [];
  afterEach(() => {
    for (const q of queues.splice(0)) q.shutDown();
  });
  /** A Job controller (a new instance, as after a restart, when given the fake it runs on). */
  const setup = (opts: Parameters<typeof makeJobController>[0] = {}, fake = new FakeCluster()) => {
    const { reconcile, queue } = start(makeJobController(opts), fake);
    queues.push(queue);
    return { fake, reconcile };
  };

  it('runs completions 3 with parallelism 2, never more than 2 at once, then completes', async () => {
    const { fake, reconcile } = setup();
    fake.seed(job('pi', { completions: 3, parallelism: 2 }));
    await reconcile('default/pi');
    expect(fake.take()).toEqual(['create Pod default/pi-1', 'create Pod default/pi-2', 'update-status Job default/pi']);
    const pod = fake.pods()[0]!;
    expect(pod.metadata?.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'uid-pi', controller: true, blockOwnerDeletion: true }]);
    expect(pod.metadata?.labels).toMatchObject({ app: 'pi', 'controller-uid': 'uid-pi', 'job-name': 'pi' });
    expect(pod.metadata?.finalizers).toEqual([JOB_TRACKING_FINALIZER]);
    expect(jobStatus(fake, 'pi')).toMatchObject({ active: 2, succeeded: 0, failed: 0, startTime: timestamp(fake.clock) });

    // Idempotent: a second pass changes nothing.
    await reconcile('default/pi');
    expect(fake.take()).toEqual([]);

    let maxActive = 0;
    for (let round = 0; round < 5 && !condition(jobStatus(fake, 'pi'), 'Complete'); round++) {
      fake.clock += 1000;
      const running = fake.activePods();
      maxActive = Math.max(maxActive, running.length);
      fake.setPhase(running[0]!, 'Succeeded');
      await reconcile('default/pi');
      maxActive = Math.max(maxActive, fake.activePods().length);
    }
    expect(maxActive).toBeLessThanOrEqual(2);
    const s = jobStatus(fake, 'pi');
    expect(s).toMatchObject({ succeeded: 3, failed: 0, active: 0, completionTime: timestamp(fake.clock) });
    expect(condition(s, 'Complete')?.reason).toBe('Completed');
    expect(fake.pods((p) => !!p.metadata?.finalizers?.length)).toEqual([]);
    expect(fake.pods()).toHaveLength(3); // finished pods are kept
    expect(fake.events.filter((e) => e === 'Normal SuccessfulCreate')).toHaveLength(3);
    expect(fake.events).toContain('Normal Completed');
  });

  it('counts a finished pod once, before removing its finalizer, and keeps counting after it is deleted', async () => {
    const { fake, reconcile } = setup();
    fake.seed(job('once', { completions: 2, parallelism: 2 }));
    await reconcile('default/once');
    fake.take();
    const [a, b] = fake.pods();
    fake.setPhase(a!, 'Succeeded');
    fake.jobStatuses = [];
    await reconcile('default/once');
    // Recorded as uncounted, released, then counted.
    expect(fake.take()).toEqual(['update-status Job default/once', `update Pod default/${a!.metadata!.name}`, 'update-status Job default/once']);
    expect(fake.jobStatuses.map((s) => [s.succeeded, s.uncountedTerminatedPods])).toEqual([
      [0, { succeeded: [a!.metadata!.uid] }],
      [1, {}],
    ]);
    expect(jobStatus(fake, 'once').succeeded).toBe(1);
    // Someone deletes the counted pod: it goes at once (no finalizer left), the count stays.
    await fake.client.delete('Pod', 'default', a!.metadata!.name!);
    fake.take();
    await reconcile('default/once');
    expect(fake.take()).toEqual([]);
    expect(jobStatus(fake, 'once').succeeded).toBe(1);
    // A running pod deleted by someone else counts as failed and is replaced.
    await fake.client.delete('Pod', 'default', b!.metadata!.name!);
    fake.take();
    await reconcile('default/once');
    expect(fake.take()).toEqual(['create Pod default/once-3', 'update-status Job default/once', `update Pod default/${b!.metadata!.name}`, 'update-status Job default/once']);
    expect(jobStatus(fake, 'once')).toMatchObject({ succeeded: 1, failed: 1, active: 1, uncountedTerminatedPods: {} });
    expect(fake.informers.Pod!.get('default', b!.metadata!.name!)).toBeUndefined();
  });

  it('backs off before replacing a failed pod: base delay, doubling', async () => {
    const { fake, reconcile } = setup({ backoffBaseMs: 10_000 });
    fake.seed(job('flaky'));
    await reconcile('default/flaky');
    fake.take();
    fake.setPhase(fake.activePods()[0]!, 'Failed');
    let r = await reconcile('default/flaky');
    expect(r).toEqual({ requeueAfter: 10_000 });
    expect(fake.take().filter((a) => a.startsWith('create'))).toEqual([]);
    fake.clock += 10_000;
    await reconcile('default/flaky');
    expect(fake.take().filter((a) => a.startsWith('create'))).toHaveLength(1);
    fake.setPhase(fake.activePods()[0]!, 'Failed');
    r = await reconcile('default/flaky');
    expect(r).toEqual({ requeueAfter: 20_000 });
    expect(jobStatus(fake, 'flaky').failed).toBe(2);
  });

  it('fails with BackoffLimitExceeded after backoffLimit+1 failures and deletes active pods', async () => {
    const { fake, reconcile } = setup({ backoffBaseMs: 0 });
    fake.seed(job('bad', { backoffLimit: 1, parallelism: 2, completions: 5 }));
    await reconcile('default/bad');
    fake.take();
    const [a, b] = fake.activePods();
    fake.setPhase(a!, 'Failed');
    await reconcile('default/bad');
    expect(jobStatus(fake, 'bad').failed).toBe(1);
    fake.take();
    fake.setPhase(b!, 'Failed');
    await reconcile('default/bad');
    const s = jobStatus(fake, 'bad');
    expect(condition(s, 'Failed')?.reason).toBe('BackoffLimitExceeded');
    expect(s.failed).toBe(2);
    const actions = fake.take();
    expect(actions.filter((x) => x.startsWith('delete Pod'))).toHaveLength(1); // the replacement of a
    expect(actions.filter((x) => x.startsWith('create'))).toEqual([]);
    // The deleted pod is released without counting as a failure of the finished Job.
    await reconcile('default/bad');
    expect(jobStatus(fake, 'bad').failed).toBe(2);
    expect(fake.activePods()).toEqual([]);
    expect(fake.pods((p) => !!p.metadata?.finalizers?.length)).toEqual([]);
    expect(fake.events).toContain('Warning BackoffLimitExceeded');
  });

  it('fails with DeadlineExceeded at activeDeadlineSeconds, waking at the deadline', async () => {
    const { fake, reconcile } = setup();
    fake.seed(job('slow', { activeDeadlineSeconds: 5 }));
    expect(await reconcile('default/slow')).toEqual({ requeueAfter: 5000 });
    fake.take();
    fake.clock += 5000;
    await reconcile('default/slow');
    expect(condition(jobStatus(fake, 'slow'), 'Failed')?.reason).toBe('DeadlineExceeded');
    expect(fake.take()).toEqual(['delete Pod default/slow-1', 'update-status Job default/slow']);
  });

  it('deletes the Job ttlSecondsAfterFinished after it finished', async () => {
    const { fake, reconcile } = setup();
    fake.seed(job('short', { ttlSecondsAfterFinished: 30 }));
    await reconcile('default/short');
    fake.setPhase(fake.activePods()[0]!, 'Succeeded');
    expect(await reconcile('default/short')).toEqual({ requeueAfter: 30_000 });
    fake.take();
    fake.clock += 30_000;
    await reconcile('default/short');
    expect(fake.take()).toEqual(['delete Job default/short Background']);
  });

  it('runs no pods while suspended, and starts the clock on resume', async () => {
    const { fake, reconcile } = setup();
    fake.seed(job('later', { suspend: true }));
    await reconcile('default/later');
    expect(fake.take()).toEqual(['update-status Job default/later']);
    expect(condition(jobStatus(fake, 'later'), 'Suspended')).toBeDefined();
    expect(jobStatus(fake, 'later').startTime).toBeUndefined();
    const j = structuredClone(fake.informers.Job!.get('default', 'later')!);
    (j.spec as { suspend: boolean }).suspend = false;
    fake.informers.Job!.put(j);
    fake.clock += 1000;
    await reconcile('default/later');
    expect(fake.take()).toEqual(['create Pod default/later-1', 'update-status Job default/later']);
    expect(jobStatus(fake, 'later').startTime).toBe(timestamp(fake.clock));
  });

  it('pods it deletes itself (suspend) are not failures: suspending more than backoffLimit active pods does not fail the Job', async () => {
    const { fake, reconcile } = setup();
    fake.seed(job('wide', { parallelism: 4, completions: 8, backoffLimit: 1 }));
    await reconcile('default/wide');
    expect(fake.activePods()).toHaveLength(4);
    for (const p of fake.activePods()) fake.setPhase(p, 'Running', true);
    fake.take();
    const j = structuredClone(fake.informers.Job!.get('default', 'wide')!);
    (j.spec as { suspend: boolean }).suspend = true;
    fake.informers.Job!.put(j);
    await reconcile('default/wide');
    expect(fake.take().filter((x) => x.startsWith('delete Pod'))).toHaveLength(4);
    // The next passes see them terminating, then killed (Failed): still no failure counted.
    await reconcile('default/wide');
    for (const p of fake.pods()) fake.setPhase(p, 'Failed');
    await reconcile('default/wide');
    await reconcile('default/wide');
    const s = jobStatus(fake, 'wide');
    expect(s.failed ?? 0).toBe(0);
    expect(condition(s, 'Failed')).toBeUndefined();
    expect(condition(s, 'Suspended')).toBeDefined();
    // Released all the same (the API server then removes them).
    expect(fake.pods((p) => !!p.metadata?.finalizers?.length)).toEqual([]);
    expect(fake.events).not.toContain('Warning BackoffLimitExceeded');
  });

  it('pods it deletes when parallelism goes down are not failures', async () => {
    const { fake, reconcile } = setup();
    fake.seed(job('narrow', { parallelism: 3, completions: 6, backoffLimit: 0 }));
    await reconcile('default/narrow');
    expect(fake.activePods()).toHaveLength(3);
    const j = structuredClone(fake.informers.Job!.get('default', 'narrow')!);
    (j.spec as { parallelism: number }).parallelism = 1;
    fake.informers.Job!.put(j);
    await reconcile('default/narrow');
    expect(fake.activePods()).toHaveLength(1);
    await reconcile('default/narrow');
    await reconcile('default/narrow');
    const s = jobStatus(fake, 'narrow');
    expect(s.failed ?? 0).toBe(0);
    expect(condition(s, 'Failed')).toBeUndefined();
    expect(s.active).toBe(1);
  });

  it('a crash after recording pods as uncounted: a new controller counts each once (one released already, one not)', async () => {
    const { fake, reconcile } = setup();
    fake.seed(job('resume', { completions: 3, parallelism: 3 }));
    await reconcile('default/resume');
    const [a, b, c] = fake.pods();
    fake.setPhase(a!, 'Succeeded');
    fake.setPhase(b!, 'Failed');
    // The controller "dies" after its first status write: no pod write gets through.
    fake.failWrite = (verb, obj) => (obj.kind === 'Pod' ? new UnavailableError('crashed') : undefined);
    await expect(reconcile('default/resume')).rejects.toThrow(/crashed/);
    expect(jobStatus(fake, 'resume')).toMatchObject({ succeeded: 0, failed: 0, uncountedTerminatedPods: { succeeded: [a!.metadata!.uid], failed: [b!.metadata!.uid] } });
    expect([a, b].map((p) => fake.informers.Pod!.get('default', p!.metadata!.name!)?.metadata?.finalizers)).toEqual([[JOB_TRACKING_FINALIZER], [JOB_TRACKING_FINALIZER]]);
    // It had released b (and b was deleted since) but not written the counts.
    fake.failWrite = undefined;
    const bNow = structuredClone(fake.informers.Pod!.get('default', b!.metadata!.name!)!);
    bNow.metadata!.finalizers = [];
    await fake.client.update(bNow);
    await fake.client.delete('Pod', 'default', b!.metadata!.name!);
    fake.take();

    const restarted = setup({}, fake);
    await restarted.reconcile('default/resume');
    expect(fake.take()).toEqual(['update-status Job default/resume', `update Pod default/${a!.metadata!.name}`, 'update-status Job default/resume']);
    expect(jobStatus(fake, 'resume')).toMatchObject({ succeeded: 1, failed: 1, active: 2, uncountedTerminatedPods: {} });
    expect(fake.informers.Pod!.get('default', a!.metadata!.name!)?.metadata?.finalizers).toEqual([]);
    // Idempotent; c still runs.
    await restarted.reconcile('default/resume');
    expect(fake.take()).toEqual([]);
    expect(fake.informers.Pod!.get('default', c!.metadata!.name!)?.metadata?.finalizers).toEqual([JOB_TRACKING_FINALIZER]);
  });

  it('writes Complete only once every finished pod is counted', async () => {
    const { fake, reconcile } = setup();
    fake.seed(job('last'));
    await reconcile('default/last');
    fake.setPhase(fake.activePods()[0]!, 'Succeeded');
    fake.failWrite = (verb, obj) => (obj.kind === 'Pod' ? new UnavailableError('pod write failed') : undefined);
    await expect(reconcile('default/last')).rejects.toThrow(/pod write failed/);
    let s = jobStatus(fake, 'last');
    expect(s).toMatchObject({ succeeded: 0, uncountedTerminatedPods: { succeeded: [fake.pods()[0]!.metadata!.uid] } });
    expect(condition(s, 'Complete')).toBeUndefined();
    expect(s.completionTime).toBeUndefined();
    expect(fake.events).not.toContain('Normal Completed');
    expect(fake.activePods()).toEqual([]); // and no replacement while the count is pending
    fake.failWrite = undefined;
    fake.clock += 1000;
    await reconcile('default/last');
    s = jobStatus(fake, 'last');
    expect(s).toMatchObject({ succeeded: 1, failed: 0, uncountedTerminatedPods: {}, completionTime: timestamp(fake.clock) });
    expect(condition(s, 'Complete')).toBeDefined();
    expect(fake.events).toContain('Normal Completed');
  });

  it('a pod cache older than a Job status someone else wrote: reads the pods instead of counting twice', async () => {
    const { fake, reconcile } = setup();
    fake.seed(job('stale', { completions: 2, parallelism: 2 }));
    await reconcile('default/stale');
    const a = fake.pods()[0]!;
    fake.setPhase(a, 'Succeeded');
    const staleA = structuredClone(fake.informers.Pod!.get('default', a.metadata!.name!)!);
    await reconcile('default/stale');
    expect(jobStatus(fake, 'stale')).toMatchObject({ succeeded: 1, uncountedTerminatedPods: {} });
    // A new controller whose pod informer listed before a's finalizer went, its Job informer
    // after the status counted a.
    const truth = fake.pods();
    fake.informers.Pod!.objs.set(`default/${a.metadata!.name}`, staleA);
    fake.informers.Pod!.lastRevision = Number(staleA.metadata!.resourceVersion);
    fake.listSource = () => truth;
    fake.take();
    const restarted = setup({}, fake);
    await restarted.reconcile('default/stale');
    expect(fake.take()).toContain('list Pod default');
    const s = jobStatus(fake, 'stale');
    expect(s).toMatchObject({ succeeded: 1, failed: 0, uncountedTerminatedPods: {} });
    expect(condition(s, 'Complete')).toBeUndefined();
  });

  it(`holds at most ${MAX_UNCOUNTED_PODS} uncounted uids; the rest are counted by the next passes`, async () => {
    const { fake, reconcile } = setup();
    const n = MAX_UNCOUNTED_PODS + 20;
    fake.seed(job('many', { completions: n, parallelism: n }));
    await reconcile('default/many');
    await reconcile('default/many'); // at most 500 creates a pass
    expect(fake.activePods()).toHaveLength(n);
    for (const p of fake.activePods()) fake.setPhase(p, 'Succeeded');
    fake.jobStatuses = [];
    await reconcile('default/many');
    expect(fake.jobStatuses[0]?.uncountedTerminatedPods?.succeeded).toHaveLength(MAX_UNCOUNTED_PODS);
    expect(jobStatus(fake, 'many')).toMatchObject({ succeeded: MAX_UNCOUNTED_PODS });
    expect(condition(jobStatus(fake, 'many'), 'Complete')).toBeUndefined();
    await reconcile('default/many');
    expect(jobStatus(fake, 'many')).toMatchObject({ succeeded: n, uncountedTerminatedPods: {} });
    expect(condition(jobStatus(fake, 'many'), 'Complete')).toBeDefined();
  });

  it('releases the pods of a Job that is gone', async () => {
    const { fake, reconcile } = setup();
    fake.seed(job('gone'));
    await reconcile('default/gone');
    fake.take();
    fake.informers.Job!.remove(fake.informers.Job!.get('default', 'gone')!);
    await reconcile('default/gone');
    expect(fake.take()).toEqual(['update Pod default/gone-1']);
  });
});

// ---- CronJob: unit ----

function cronJob(name: string, spec: Record<string, unknown> = {}, created = '2024-03-10T11:00:00Z'): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default', creationTimestamp: created },
    spec: {
      schedule: '*/5 * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { team: 'a' } }, spec: job(name).spec },
      ...spec,
    },
  };
}

const cjStatus = (fake: FakeCluster, name: string): CronJobStatus__Output => (fake.informers.CronJob!.get('default', name)?.status ?? {});
const minutes = (iso: string): number => Math.floor(Date.parse(iso) / 60_000);

/** Marks a Job finished as the Job controller would. */
function finishJob(fake: FakeCluster, name: string, type: 'Complete' | 'Failed'): void {
  const j = structuredClone(fake.informers.Job!.get('default', name)!);
  const t = timestamp(fake.clock);
  j.status = { conditions: [{ type, status: 'True', lastTransitionTime: t }], ...(type === 'Complete' ? { completionTime: t, succeeded: 1 } : { failed: 1 }), startTime: t };
  fake.informers.Job!.put(j);
}

describe('CronJob controller (fake client and clock)', () => {
  const queues: WorkQueue<string>[] = [];
  afterEach(() => {
    for (const q of queues.splice(0)) q.shutDown();
  });
  const setup = () => {
    const fake = new FakeCluster();
    fake.clock = Date.parse('2024-03-10T12:00:00Z');
    const { reconcile, queue } = start(makeCronJobController(), fake);
    queues.push(queue);
    return { fake, reconcile };
  };

  it('creates a Job at the schedule time, named by the minute, then waits for the next', async () => {
    const { fake, reconcile } = setup();
    fake.seed(cronJob('tick', {}, '2024-03-10T11:58:30Z'));
    // 11:58:30 created; clock 12:00:00: the 12:00 run is due.
    const r = await reconcile('default/tick');
    const name = `tick-${minutes('2024-03-10T12:00:00Z')}`;
    expect(fake.take()).toEqual([`create Job default/${name}`, 'update-status CronJob default/tick']);
    const j = fake.informers.Job!.get('default', name)!;
    expect(j.metadata?.annotations?.[CRONJOB_SCHEDULED_ANNOTATION]).toBe('2024-03-10T12:00:00Z');
    expect(j.metadata?.labels).toMatchObject({ team: 'a' });
    expect(j.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'tick', controller: true, blockOwnerDeletion: true });
    expect(cjStatus(fake, 'tick')).toMatchObject({ lastScheduleTime: '2024-03-10T12:00:00Z', active: [{ kind: 'Job', name, namespace: 'default' }] });
    expect(r?.requeueAfter).toBeGreaterThanOrEqual(5 * 60_000);
    expect(r?.requeueAfter).toBeLessThan(5 * 60_000 + 1000);
    // Nothing more until 12:05.
    fake.clock += 4 * 60_000;
    await reconcile('default/tick');
    expect(fake.take()).toEqual([]);
    fake.clock += 60_000;
    await reconcile('default/tick');
    expect(fake.take()).toEqual([`create Job default/tick-${minutes('2024-03-10T12:05:00Z')}`, 'update-status CronJob default/tick']);
    expect(cjStatus(fake, 'tick').active).toHaveLength(2); // Allow
  });

  it('before the first schedule time: no Job, requeue until it', async () => {
    const { fake, reconcile } = setup();
    fake.seed(cronJob('wait', {}, '2024-03-10T12:00:00Z'));
    fake.clock = Date.parse('2024-03-10T12:03:00Z');
    const r = await reconcile('default/wait');
    expect(fake.take()).toEqual([]);
    expect(r?.requeueAfter).toBeGreaterThanOrEqual(2 * 60_000);
    expect(r?.requeueAfter).toBeLessThan(2 * 60_000 + 1000);
  });

  it('an AlreadyExists Job of its own counts as created (idempotent)', async () => {
    const { fake, reconcile } = setup();
    const cj = fake.seed(cronJob('idem', {}, '2024-03-10T11:58:30Z'));
    const name = `idem-${minutes('2024-03-10T12:00:00Z')}`;
    fake.seed({ ...job(name), metadata: { name, namespace: 'default', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'idem', uid: cj.metadata!.uid!, controller: true }] } });
    await reconcile('default/idem');
    expect(fake.take()).toEqual(['update-status CronJob default/idem']);
    expect(cjStatus(fake, 'idem').lastScheduleTime).toBe('2024-03-10T12:00:00Z');
  });

  it('Forbid skips a run while one is active; the finished one is recorded', async () => {
    const { fake, reconcile } = setup();
    fake.seed(cronJob('solo', { concurrencyPolicy: 'Forbid' }, '2024-03-10T11:58:30Z'));
    await reconcile('default/solo');
    fake.take();
    const first = `solo-${minutes('2024-03-10T12:00:00Z')}`;
    fake.clock = Date.parse('2024-03-10T12:05:00Z');
    await reconcile('default/solo');
    expect(fake.take()).toEqual([]);
    expect(fake.events).toContain('Normal JobAlreadyActive');
    // It finishes at 12:07: removed from active, lastSuccessfulTime set; the 12:05 run is
    // too old only with a starting deadline, so it runs now, late (as Kubernetes does).
    fake.clock = Date.parse('2024-03-10T12:07:00Z');
    finishJob(fake, first, 'Complete');
    await reconcile('default/solo');
    const s = cjStatus(fake, 'solo');
    expect(s.lastSuccessfulTime).toBe('2024-03-10T12:07:00Z');
    expect(s.active?.map((r) => r.name)).toEqual([`solo-${minutes('2024-03-10T12:05:00Z')}`]);
  });

  it('events aggregate: a repeated JobAlreadyActive is one Event with a count', async () => {
    const { fake, reconcile } = setup();
    fake.seed(cronJob('agg', { concurrencyPolicy: 'Forbid' }, '2024-03-10T11:58:30Z'));
    await reconcile('default/agg');
    fake.events = [];
    for (const t of ['12:05:00', '12:06:00', '12:07:00']) {
      fake.clock = Date.parse(`2024-03-10T${t}Z`);
      await reconcile('default/agg');
    }
    expect(fake.events).toEqual(['Normal JobAlreadyActive']);
    const stored = fake.informers.Event!.list().filter((e) => (e as { reason?: string }).reason === 'JobAlreadyActive') as { count?: number; involvedObject?: { name?: string }; lastTimestamp?: string }[];
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ count: 3, involvedObject: { name: 'agg' }, lastTimestamp: '2024-03-10T12:07:00Z' });
  });

  it('Replace deletes the active Job and starts the new one', async () => {
    const { fake, reconcile } = setup();
    fake.seed(cronJob('swap', { concurrencyPolicy: 'Replace' }, '2024-03-10T11:58:30Z'));
    await reconcile('default/swap');
    fake.take();
    fake.clock = Date.parse('2024-03-10T12:05:00Z');
    await reconcile('default/swap');
    const first = `swap-${minutes('2024-03-10T12:00:00Z')}`;
    const second = `swap-${minutes('2024-03-10T12:05:00Z')}`;
    expect(fake.take()).toEqual([`delete Job default/${first} Background`, `create Job default/${second}`, 'update-status CronJob default/swap']);
    expect(cjStatus(fake, 'swap').active?.map((r) => r.name)).toEqual([second]);
  });

  it('suspend: no Jobs, no requeue', async () => {
    const { fake, reconcile } = setup();
    fake.seed(cronJob('off', { suspend: true }, '2024-03-10T11:00:00Z'));
    expect(await reconcile('default/off')).toBeUndefined();
    expect(fake.take()).toEqual([]);
  });

  it('after downtime runs only the most recent missed time, and warns past 100 misses', async () => {
    const { fake, reconcile } = setup();
    fake.seed(cronJob('late', { schedule: '* * * * *' }, '2024-03-10T09:00:00Z'));
    fake.clock = Date.parse('2024-03-10T12:00:30Z'); // 180 missed minutes
    await reconcile('default/late');
    expect(fake.take()).toEqual([`create Job default/late-${minutes('2024-03-10T12:00:00Z')}`, 'update-status CronJob default/late']);
    expect(fake.events).toContain('Warning TooManyMissedTimes');
    fake.events = [];
    fake.seed(cronJob('few', { schedule: '* * * * *' }, '2024-03-10T11:50:00Z'));
    await reconcile('default/few');
    expect(fake.take()).toEqual([`create Job default/few-${minutes('2024-03-10T12:00:00Z')}`, 'update-status CronJob default/few']);
    expect(fake.events).not.toContain('Warning TooManyMissedTimes');
  });

  it('startingDeadlineSeconds: a run missed by more than it is skipped', async () => {
    const { fake, reconcile } = setup();
    fake.seed(cronJob('strict', { schedule: '0 * * * *', startingDeadlineSeconds: 60 }, '2024-03-10T10:30:00Z'));
    fake.clock = Date.parse('2024-03-10T12:02:00Z'); // the 12:00 run is 120 s late
    const r = await reconcile('default/strict');
    expect(fake.take()).toEqual([]);
    expect(r?.requeueAfter).toBeGreaterThan(57 * 60_000);
    fake.clock = Date.parse('2024-03-10T13:00:40Z'); // 40 s late: within the deadline
    await reconcile('default/strict');
    expect(fake.take()).toEqual([`create Job default/strict-${minutes('2024-03-10T13:00:00Z')}`, 'update-status CronJob default/strict']);
  });

  it('timeZone: the schedule is read in that zone', async () => {
    const { fake, reconcile } = setup();
    // 09:00 in Tokyo is 00:00 UTC.
    fake.seed(cronJob('tokyo', { schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' }, '2024-03-09T12:00:00Z'));
    fake.clock = Date.parse('2024-03-10T00:00:10Z');
    await reconcile('default/tokyo');
    expect(cjStatus(fake, 'tokyo').lastScheduleTime).toBe('2024-03-10T00:00:00Z');
    expect(parseSchedule('0 9 * * *', 'America/New_York').next(Date.parse('2024-03-10T12:00:00Z'))).toBe(Date.parse('2024-03-10T13:00:00Z')); // EDT since 07:00Z
    expect(parseSchedule('TZ=Asia/Tokyo 0 9 * * *').next(Date.parse('2024-03-10T12:00:00Z'))).toBe(Date.parse('2024-03-11T00:00:00Z'));
    expect(parseSchedule('@hourly').next(Date.parse('2024-03-10T12:00:00Z'))).toBe(Date.parse('2024-03-10T13:00:00Z'));
    expect(parseSchedule('@midnight').fields).toBe('0 0 * * *');
    expect(() => parseSchedule('* * * * * *')).toThrow(/5 fields/);
  });

  it('an unparseable schedule: a warning event, no retry', async () => {
    const { fake, reconcile } = setup();
    fake.seed(cronJob('bad', { schedule: 'every day' }));
    expect(await reconcile('default/bad')).toBeUndefined();
    expect(fake.events).toContain('Warning UnparseableSchedule');
  });

  it('keeps successfulJobsHistoryLimit and failedJobsHistoryLimit finished Jobs', async () => {
    const { fake, reconcile } = setup();
    fake.seed(cronJob('hist', { successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 }, '2024-03-10T11:58:30Z'));
    const names: string[] = [];
    for (let i = 0; i < 6; i++) {
      fake.clock = Date.parse('2024-03-10T12:00:00Z') + i * 5 * 60_000;
      await reconcile('default/hist');
      const name = `hist-${Math.floor(fake.clock / 60_000)}`;
      names.push(name);
      fake.clock += 60_000;
      finishJob(fake, name, i === 1 || i === 2 ? 'Failed' : 'Complete');
    }
    await reconcile('default/hist');
    const left = fake.informers.Job!.list().map((j) => j.metadata!.name).sort();
    // Succeeded: 0, 3, 4, 5 → keep 4, 5. Failed: 1, 2 → keep 2.
    expect(left).toEqual([names[2], names[4], names[5]].sort());
    expect(cjStatus(fake, 'hist').active ?? []).toEqual([]);
  });
});

// ---- integration: a real API server, both controllers in a manager ----

describe('Job and CronJob controllers against a real API server', () => {
  let cluster: TestCluster;
  let nc: NatsConnection;
  let stop: AbortController;
  let running: Promise<void>;
  // The CronJob controller's clock: real time plus an offset set per test.
  let offset = 0;

  beforeAll(async () => {
    cluster = await startTestCluster();
    nc = await connect({ servers: cluster.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const manager = new ControllerManager({ client: cluster.client, nc, metrics: new Registry(), logger: loud, now: () => Date.now() + offset });
    manager.add(makeJobController({ backoffBaseMs: 50 }));
    manager.add(makeCronJobController());
    stop = new AbortController();
    running = manager.run(stop.signal);
  }, 30_000);

  afterAll(async () => {
    stop?.abort();
    await running;
    await nc?.close();
    await cluster?.stop();
  }, 30_000);

  /** Plays the kubelet: every pending pod of the job finishes with `exitCode`. */
  async function finishPods(jobName: string, exitCode: number, max = Infinity): Promise<number> {
    const { items } = await cluster.client.list('Pod', { namespace: 'default', labelSelector: `job-name=${jobName}` });
    let n = 0;
    for (const p of items) {
      const phase = (p.status as { phase?: string } | undefined)?.phase;
      if (n >= max || p.metadata?.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed') continue;
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      p.status = {
        phase: exitCode === 0 ? 'Succeeded' : 'Failed',
        containerStatuses: [{ name: 'main', state: { terminated: { exitCode, finishedAt: now } } }],
      };
      await cluster.client.updateStatus(p);
      n++;
    }
    return n;
  }

  it('a Job with parallelism 2 and completions 4 completes, never more than 2 pods active', async () => {
    await cluster.client.create(job('quad', { parallelism: 2, completions: 4 }));
    let maxActive = 0;
    await eventually(
      async () => {
        const { items } = await cluster.client.list('Pod', { namespace: 'default', labelSelector: 'job-name=quad' });
        const active = items.filter((p) => !p.metadata?.deletionTimestamp && !['Succeeded', 'Failed'].includes((p.status as { phase?: string } | undefined)?.phase ?? ''));
        maxActive = Math.max(maxActive, active.length);
        await finishPods('quad', 0, 1);
        const j = await cluster.client.get('Job', 'default', 'quad');
        return !!condition(j.status as JobStatus__Output, 'Complete');
      },
      'job quad to complete',
      20_000,
    );
    const j = await cluster.client.get('Job', 'default', 'quad');
    expect(j.status).toMatchObject({ succeeded: 4, failed: 0, active: 0 });
    expect(maxActive).toBeLessThanOrEqual(2);
    const { items } = await cluster.client.list('Pod', { namespace: 'default', labelSelector: 'job-name=quad' });
    expect(items).toHaveLength(4);
    expect(items.every((p) => !p.metadata?.finalizers?.length)).toBe(true);
  }, 30_000);

  it('backoffLimit exceeded fails the Job; ttlSecondsAfterFinished then deletes it', async () => {
    await cluster.client.create(job('doomed', { backoffLimit: 1, ttlSecondsAfterFinished: 1 }));
    await eventually(
      async () => {
        await finishPods('doomed', 1);
        const j = await cluster.client.get('Job', 'default', 'doomed').catch(() => undefined);
        return !j || !!condition(j.status as JobStatus__Output, 'Failed');
      },
      'job doomed to fail',
      20_000,
    );
    await eventually(async () => !(await cluster.client.get('Job', 'default', 'doomed').catch(() => undefined)), 'job doomed to be deleted', 10_000);
  }, 40_000);

  it('a CronJob fires on schedule (clock set just before a minute boundary)', async () => {
    // The controller's clock runs 0.5 s short of the next whole minute, ahead of real time.
    offset = 60_000 - (Date.now() % 60_000) - 500;
    if (offset < 1000) offset += 60_000;
    const cj = cronJob('every', { schedule: '* * * * *' });
    delete cj.metadata!.creationTimestamp;
    await cluster.client.create(cj);
    const boundary = Math.ceil((Date.now() + offset) / 60_000) * 60_000;
    const name = `every-${boundary / 60_000}`;
    await eventually(async () => !!(await cluster.client.get('Job', 'default', name).catch(() => undefined)), `job ${name}`, 10_000);
    await eventually(
      async () => !!((await cluster.client.get('CronJob', 'default', 'every')).status as CronJobStatus__Output | undefined)?.lastScheduleTime,
      'cronjob every status',
      10_000,
    );
    const created = await cluster.client.get('CronJob', 'default', 'every');
    expect((created.status as CronJobStatus__Output).active?.map((r) => r.name)).toContain(name);
    expect((created.status as CronJobStatus__Output).lastScheduleTime).toBe(timestamp(boundary));
    // The created Job runs a pod (the Job controller picks it up).
    await eventually(async () => (await finishPods(name, 0)) > 0, `a pod of ${name}`, 10_000);
  }, 30_000);

  it('create job --from=cronjob/X makes a Job from the template, owned by the CronJob', async () => {
    await cluster.client.create(cronJob('manual', { schedule: '0 0 1 1 *' }, undefined));
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(`ERR ${t}`) };
    expect(await createJobFromCronJob(cluster.client, { name: 'manual-now', cronJob: 'manual', namespace: 'default' }, io)).toBe(0);
    expect(out).toEqual(['job.batch/manual-now created']);
    const j = await cluster.client.get('Job', 'default', 'manual-now');
    expect(j.metadata?.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(j.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'manual', controller: true });
    expect(j.metadata?.labels).toMatchObject({ team: 'a' });
    out.length = 0;
    expect(await createJobFromCronJob(cluster.client, { name: 'x', cronJob: 'nope', namespace: 'default' }, io)).toBe(1);
    expect(out.join('\n')).toMatch(/not found/);
    out.length = 0;
    expect(await createJobFromCronJob(cluster.client, { name: 'manual-now', cronJob: 'manual', namespace: 'default' }, io)).toBe(1);
    expect(out.join('\n')).toMatch(/already exists/);
  }, 30_000);
});

// ---- integration: a controller manager that dies in the middle of counting ----

/**
 * The client of a controller manager that dies right after the write `fatal` picks is
 * acknowledged: every later write fails before it reaches the API server, as a dead
 * process's would. Works whatever protocol the controller follows.
 */
function dyingClient(client: ShoalClient, fatal: (method: string, result: unknown) => boolean): { client: ShoalClient; died: Promise<void> } {
  let dead = false;
  let onDeath!: () => void;
  const died = new Promise<void>((resolve) => (onDeath = resolve));
  const writes = new Set(['create', 'update', 'updateStatus', 'delete', 'apply']);
  const proxy = new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (typeof prop !== 'string' || !writes.has(prop)) return fn.bind(target);
      return async (...args: unknown[]) => {
        if (dead) throw new UnavailableError('the controller manager is dead');
        const result = await fn.apply(target, args);
        if (!dead && fatal(prop, result)) {
          dead = true;
          onDeath();
        }
        return result;
      };
    },
  });
  return { client: proxy, died };
}

describe('Job counting across a controller-manager crash (real API server)', () => {
  let cluster: TestCluster;
  const managers: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster();
  }, 30_000);

  // A test that failed leaves its managers running: stop them before the next one starts.
  afterEach(async () => {
    for (const m of [...managers]) await m.stop();
  }, 30_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 30_000);

  /** A controller manager running only the Job controller, over `client`. */
  async function startManager(client: ShoalClient): Promise<{ stop(): Promise<void> }> {
    const nc = await connect({ servers: cluster.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const manager = new ControllerManager({ client, nc, metrics: new Registry(), logger: loud });
    manager.add(makeJobController({ backoffBaseMs: 50 }));
    const ac = new AbortController();
    const running = manager.run(ac.signal);
    let stopped: Promise<void> | undefined;
    const handle = {
      stop: () =>
        (stopped ??= (async () => {
          ac.abort();
          await running;
          await nc.close();
          managers.splice(managers.indexOf(handle), 1);
        })()),
    };
    managers.push(handle);
    await manager.synced;
    return handle;
  }

  async function podsOf(jobName: string): Promise<KubeObject[]> {
    const { items } = await cluster.client.list('Pod', { namespace: 'default', labelSelector: `job-name=${jobName}` });
    return items.sort((x, y) => (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''));
  }

  const phase = (p: KubeObject): string | undefined => (p.status as { phase?: string } | undefined)?.phase;
  const holds = (p: KubeObject | undefined): boolean => p?.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
  const getPod = (name: string): Promise<KubeObject | undefined> => cluster.client.get('Pod', 'default', name).catch(() => undefined);
  const getStatus = async (name: string): Promise<JobStatus__Output> => ((await cluster.client.get('Job', 'default', name)).status ?? {});
  const uncountedCount = (s: JobStatus__Output): number => (s.uncountedTerminatedPods?.succeeded?.length ?? 0) + (s.uncountedTerminatedPods?.failed?.length ?? 0);

  /** Plays the kubelet: the pod's container exited with `exitCode`. */
  async function finishPod(pod: KubeObject, exitCode: number): Promise<void> {
    const p = (await getPod(pod.metadata!.name!))!;
    p.status = {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      containerStatuses: [{ name: 'main', state: { terminated: { exitCode, finishedAt: timestamp(Date.now()) } } }],
    };
    await cluster.client.updateStatus(p);
  }

  /** Lets a manager create the Job's pods, then stops it. */
  async function podsFromAManager(jobName: string, n: number): Promise<KubeObject[]> {
    const m = await startManager(cluster.client);
    await eventually(async () => (await podsOf(jobName)).length === n, `${n} pods of ${jobName}`, 20_000);
    await m.stop();
    return podsOf(jobName);
  }

  /** Finishes every running pod of the Job (successfully) until it is Complete. */
  async function runToCompletion(jobName: string): Promise<JobStatus__Output> {
    await eventually(
      async () => {
        for (const p of await podsOf(jobName)) if (!phase(p) && !p.metadata?.deletionTimestamp) await finishPod(p, 0);
        return !!condition(await getStatus(jobName), 'Complete');
      },
      `job ${jobName} to complete`,
      30_000,
    );
    return getStatus(jobName);
  }

  it('a crash after the status write that records a pod, before its finalizer is removed: the pod counts once', async () => {
    await cluster.client.create(job('once', { completions: 2, parallelism: 2 }));
    // Dies once a status write of this Job has taken a's success into account, in whatever
    // form (the counter, or uncountedTerminatedPods).
    const m1 = dyingClient(cluster.client, (method, r) => {
      const o = r as KubeObject;
      if (method !== 'updateStatus' || o.kind !== 'Job' || o.metadata?.name !== 'once') return false;
      const s = (o.status ?? {}) as JobStatus__Output;
      return (s.succeeded ?? 0) > 0 || (s.uncountedTerminatedPods?.succeeded?.length ?? 0) > 0;
    });
    const first = await startManager(m1.client);
    await eventually(async () => (await podsOf('once')).length === 2, 'the pods of once', 20_000);
    const [a, b] = await podsOf('once');
    await finishPod(a!, 0);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([m1.died, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the manager never wrote the count')), 20_000)))]);
    clearTimeout(timer);
    await first.stop();
    // The crash came between the two: recorded, still held.
    expect(holds(await getPod(a!.metadata!.name!))).toBe(true);

    const second = await startManager(cluster.client);
    await eventually(async () => !holds(await getPod(a!.metadata!.name!)) && uncountedCount(await getStatus('once')) === 0, 'a released and counted', 20_000);
    let s = await getStatus('once');
    expect(s).toMatchObject({ succeeded: 1, failed: 0 }); // counted twice, it would be 2, and Complete
    expect(condition(s, 'Complete')).toBeUndefined();
    const bNow = (await getPod(b!.metadata!.name!))!;
    expect(bNow.metadata?.deletionTimestamp).toBeUndefined();
    expect(holds(bNow)).toBe(true);
    // Only b's success completes it.
    await finishPod(b!, 0);
    await eventually(async () => !!condition(await getStatus('once'), 'Complete'), 'once to complete', 20_000);
    s = await getStatus('once');
    expect(s).toMatchObject({ succeeded: 2, failed: 0, active: 0, uncountedTerminatedPods: {} });
    const pods = await podsOf('once');
    expect(pods).toHaveLength(2);
    expect(pods.some(holds)).toBe(false);
    await second.stop();
  }, 90_000);

  it('a crash right after uncountedTerminatedPods is written: a new manager counts each pod once', async () => {
    await cluster.client.create(job('records', { completions: 3, parallelism: 3, backoffLimit: 6 }));
    const [a, b, c] = await podsFromAManager('records', 3);
    // Both finish while no manager runs, so the next one sees them in one pass.
    await finishPod(a!, 0);
    await finishPod(b!, 1);
    let written: JobStatus__Output | undefined;
    const m1 = dyingClient(cluster.client, (method, r) => {
      const o = r as KubeObject;
      if (method !== 'updateStatus' || o.kind !== 'Job' || o.metadata?.name !== 'records') return false;
      const s = (o.status ?? {}) as JobStatus__Output;
      if (uncountedCount(s) === 0) return false;
      written = s;
      return true;
    });
    const first = await startManager(m1.client);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([m1.died, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no uncountedTerminatedPods written')), 20_000)))]);
    clearTimeout(timer);
    await first.stop();
    expect(written?.uncountedTerminatedPods).toEqual({ succeeded: [a!.metadata!.uid], failed: [b!.metadata!.uid] });
    const stored = await getStatus('records');
    expect(stored).toMatchObject({ succeeded: 0, failed: 0, uncountedTerminatedPods: { succeeded: [a!.metadata!.uid], failed: [b!.metadata!.uid] } });
    expect(holds(await getPod(a!.metadata!.name!))).toBe(true);
    expect(holds(await getPod(b!.metadata!.name!))).toBe(true);

    const second = await startManager(cluster.client);
    await eventually(
      async () => !holds(await getPod(a!.metadata!.name!)) && !holds(await getPod(b!.metadata!.name!)) && uncountedCount(await getStatus('records')) === 0,
      'a and b released and counted',
      20_000,
    );
    expect(await getStatus('records')).toMatchObject({ succeeded: 1, failed: 1 });
    expect(holds(await getPod(c!.metadata!.name!))).toBe(true);
    const s = await runToCompletion('records');
    expect(s).toMatchObject({ succeeded: 3, failed: 1, active: 0, uncountedTerminatedPods: {} });
    const pods = await podsOf('records');
    expect(pods).toHaveLength(4); // a, b, c and b's replacement
    expect(pods.some(holds)).toBe(false);
    await second.stop();
  }, 90_000);

  it('a status left holding uncounted uids (one pod released and gone, one still held) is finished by a fresh manager', async () => {
    await cluster.client.create(job('left', { completions: 2, parallelism: 2 }));
    const [a, b] = await podsFromAManager('left', 2);
    await finishPod(a!, 0);
    await finishPod(b!, 0);
    // What a manager that died between step 2 (b released, then deleted) and step 3 leaves.
    const bNow = (await getPod(b!.metadata!.name!))!;
    bNow.metadata!.finalizers = [];
    await cluster.client.update(bNow);
    await cluster.client.delete('Pod', 'default', b!.metadata!.name!);
    await eventually(async () => !(await getPod(b!.metadata!.name!)), 'b gone', 10_000);
    const j = await cluster.client.get('Job', 'default', 'left');
    j.status = { ...(j.status ?? {}), succeeded: 0, failed: 0, uncountedTerminatedPods: { succeeded: [a!.metadata!.uid!, b!.metadata!.uid!] } };
    await cluster.client.updateStatus(j);

    const m = await startManager(cluster.client);
    await eventually(async () => !!condition(await getStatus('left'), 'Complete'), 'left to complete', 20_000);
    expect(await getStatus('left')).toMatchObject({ succeeded: 2, failed: 0, active: 0, uncountedTerminatedPods: {} });
    expect(holds(await getPod(a!.metadata!.name!))).toBe(false);
    expect(await podsOf('left')).toHaveLength(1); // no pod was created for a count it already had
    await m.stop();
  }, 60_000);

  it('a normal run: every pod counted once, uncountedTerminatedPods empty at the end, and no writes after', async () => {
    const m = await startManager(cluster.client);
    await cluster.client.create(job('normal', { completions: 3, parallelism: 2, backoffLimit: 3 }));
    await eventually(async () => (await podsOf('normal')).length === 2, 'the pods of normal', 20_000);
    const [first] = await podsOf('normal');
    await finishPod(first!, 1);
    // Whenever the Job says it is done, nothing is left uncounted.
    let sawEarlyEnd = false;
    await eventually(
      async () => {
        for (const p of await podsOf('normal')) if (!phase(p) && !p.metadata?.deletionTimestamp) await finishPod(p, 0);
        const s = await getStatus('normal');
        if (condition(s, 'Complete') && uncountedCount(s) > 0) sawEarlyEnd = true;
        return !!condition(s, 'Complete');
      },
      'normal to complete',
      30_000,
    );
    expect(sawEarlyEnd).toBe(false);
    const done = await cluster.client.get('Job', 'default', 'normal');
    expect(done.status).toMatchObject({ succeeded: 3, failed: 1, active: 0, uncountedTerminatedPods: {} });
    const pods = await podsOf('normal');
    expect(pods.filter((p) => phase(p) === 'Succeeded')).toHaveLength(3);
    expect(pods.filter((p) => phase(p) === 'Failed')).toHaveLength(1);
    expect(pods.some(holds)).toBe(false);
    // Settled: the controller does not keep rewriting the status.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await cluster.client.get('Job', 'default', 'normal')).metadata?.resourceVersion).toBe(done.metadata?.resourceVersion);
    await m.stop();
  }, 60_000);
});
