// The pods of this node: a level-triggered syncPod(key) per pod, driven by the agent's work
// queue (one worker per key at a time). Each pass compares the pod's spec with what the agent
// observes (driver handles plus in-memory state) and acts: sandbox, volumes, image pulls,
// init containers in order, containers with restart policy and back-off, liveness kills,
// graceful termination, and finally the pod status, written only when it changed.
//
// Asynchronous observations never act by themselves: a container's exit (waitContainer), a
// probe result, or a back-off expiry only record what happened and enqueue the pod's key.
//
// A stop waits out a grace period (a deletion, a liveness or startup kill, a changed image,
// activeDeadlineSeconds, a dead sandbox), so it runs in the background (stopInBackground):
// the pass that starts it returns, and the stop's end enqueues the key again.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { retryOnConflict, type ShoalClient } from '../../lib/client.js';
import { NotFoundError } from '../../lib/errors.js';
import type { Container__Output } from '../../lib/gen/shoal/v1/Container.js';
import type { ContainerStateTerminated__Output } from '../../lib/gen/shoal/v1/ContainerStateTerminated.js';
import type { ContainerStatus__Output } from '../../lib/gen/shoal/v1/ContainerStatus.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import { parseQuantity } from '../../lib/quantity.js';
import type { ReconcileResult } from '../../lib/workqueue.js';
import { Backoff, type BackoffPolicy } from './backoff.js';
import { ImagePullError, type ContainerDriver, type ContainerHandle, type ContainerSpec, type PodRef, type PullPolicy, type Sandbox } from './driver.js';
import { podDNS, type ClusterDNS } from './dns.js';
import { ContainerConfigError, clientServiceLister, containerEnv, expandVars, type ServiceLister } from './env.js';
import type { PodEventRecorder } from './events.js';
import type { AgentMetrics } from './metrics.js';
import { ContainerProber, runHandler, type HandlerTarget } from './probes.js';
import { buildPodStatus, containerID, podPhase, statusChanged, terminatedState, timestamp, type ContainerView, type PodPhase } from './status.js';
import { VolumeError, containerMounts, hasProjectedVolumes, podDir, prepareVolumes, removePodDir, type PreparedVolume } from './volumes.js';

export interface Logger {
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

/** Grace for containers whose pod is gone from the API without a graceful deletion (force
 * deleted, or deleted while the agent was down): the kubelet's minimum. */
const GONE_GRACE_SECONDS = 2;
/** A pod that is running is looked at again this often even if nothing happens (kubelet's
 * resync), to catch what the driver did not report. */
const RESYNC_MS = 60_000;
/** Retry delay for a missing ConfigMap, Secret or volume (the kubelet retries on its sync). */
const CONFIG_RETRY_MS = 2_000;
/** A postStart hook holds the pod's worker; it gets at most this long. */
const POST_START_TIMEOUT_MS = 30_000;

export interface PodManagerConfig {
  nodeName: string;
  driver: ContainerDriver;
  client: ShoalClient;
  /** emptyDir, configMap and secret volumes live under <dataDir>/pods/<uid>/volumes. */
  dataDir: string;
  /** The node's InternalIP: status.hostIP. */
  hostIP: string;
  /** The node's allocatable cpu (cores) and memory (bytes), for resourceFieldRef. */
  nodeCpu: number;
  nodeMemory: number;
  backoff: BackoffPolicy;
  metrics: AgentMetrics;
  logger: Logger;
  /** The pod as the informer has it ("namespace/name"), or undefined. */
  getPod(key: string): Pod__Output | undefined;
  /** Queues a pod key for syncPod. */
  enqueue(key: string): void;
  /** Aborts when the agent stops: nothing new is started. */
  signal: AbortSignal;
  /** configMap and secret volumes are rewritten from the API this often (default 60 s). */
  volumeRefreshMs?: number;
  /** Records Events about the pods (absent: none). */
  events?: PodEventRecorder;
  /** The Services of a namespace, for the containers' discovery variables (an informer's
   * cache is best). Absent: listed from the API server at each container start. */
  services?: ServiceLister;
  /** Pods with dnsPolicy ClusterFirst resolve through it (absent: the node's resolver). */
  clusterDNS?: ClusterDNS;
}

/** What the agent knows of one container name of a pod, across its instances. */
class ContainerRecord {
  /** The newest instance (running or exited). */
  current?: ContainerHandle;
  /** The instance before it, kept (exited) for `logs --previous` until the next one exits. */
  previous?: ContainerHandle;
  /** How the instance before `current` ended (lastState). */
  lastTerminated?: ContainerStateTerminated__Output;
  restartCount = 0;
  /** The attempt number of the next start when there is no `current` (continues the count of
   * an earlier agent run whose containers are gone). */
  nextAttempt = 0;
  waiting?: { reason: string; message?: string };
  readonly crash: Backoff;
  readonly pull: Backoff;
  pullError?: { reason: string; message: string };
  /** The exit of this instance id has been accounted for (back-off, metrics). */
  exitSeen?: string;
  /** Why the next start happens, for the container_starts metric. */
  startReason = 'initial';
  /** Set by a failed liveness/startup probe, or a changed image: stop and restart. */
  kill?: { reason: 'LivenessProbe' | 'StartupProbe' | 'SpecChanged' | 'PostStartHookError' | 'SandboxChanged'; message: string };
  /** An init container that completed, to run again in a new sandbox. */
  rerun = false;
  started = false;
  ready = false;
  prober?: ContainerProber;
  /** The instance id a waitContainer watch is running for. */
  watched?: string;
  /** Probe results to resume from, for an adopted container (from the pod's status). */
  seed?: { started: boolean; ready: boolean };

  constructor(
    readonly name: string,
    readonly init: boolean,
    policy: BackoffPolicy,
  ) {
    this.crash = new Backoff(policy);
    this.pull = new Backoff(policy);
  }

  get running(): boolean {
    return this.current?.status.state === 'running';
  }

  stopProbes(): void {
    this.prober?.stop();
    this.prober = undefined;
  }
}

/** One pod (by uid) on this node. */
class PodState {
  pod: Pod__Output;
  sandbox?: Sandbox;
  volumes?: Map<string, PreparedVolume>;
  /** When the volumes were last prepared (epoch ms). */
  volumesAt = 0;
  readonly records = new Map<string, ContainerRecord>();
  startTime?: string;
  readonly firstSeen = Date.now();
  /** Its containers were found running by a restarted agent. */
  adopted = false;
  startRecorded = false;
  phase: PodPhase = 'Pending';
  /** When termination began (epoch ms). */
  terminatingSince?: number;
  /** While containers of the pod are being stopped: when they must be stopped by (epoch ms).
   * A deletion with a shorter grace period moves it (observe()). */
  stopDeadline?: number;
  /** Set when the agent itself ends the pod (activeDeadlineSeconds): phase Failed. */
  failure?: { reason: string; message: string };
  /** The sandbox of an ended pod was released (its IP freed). */
  sandboxReleased = false;
  /** The sandbox a waitContainer watch is running for. */
  sandboxWatched?: string;
  /** The sandbox a restarted agent found for the pod, checked by the first sync before the
   * sandbox is looked up again. */
  adoptedSandbox?: string;
  /** The driver has reported the current sandbox (running): once it no longer finds it, it is
   * gone. (A driver that does not report sandboxes never makes one look gone.) */
  sandboxSeen = false;
  /** Cancels the watches on this pod's containers. */
  readonly abort = new AbortController();
  /** A stop of the pod's containers within their grace period, and what follows it, running
   * in the background (see stopInBackground): the pod's termination, a container's kill for
   * a restart, the stop of a pod past its activeDeadlineSeconds or of a dead sandbox's
   * containers. One per pod: while it is set, syncs of the pod do nothing; when it ends, the
   * pod's key is queued again. */
  stopping?: Promise<void>;
  /** Why the last background stop failed: the next sync reports it (so the work queue
   * retries with back-off), and the retry starts what is left of it again. */
  stopFailed?: { error: unknown };

  constructor(
    readonly uid: string,
    readonly key: string,
    pod: Pod__Output,
  ) {
    this.pod = pod;
  }

  get ref(): PodRef {
    const m = this.pod.metadata ?? {};
    return { uid: this.uid, namespace: m.namespace ?? 'default', name: m.name ?? '' };
  }

  record(name: string, init: boolean, policy: BackoffPolicy): ContainerRecord {
    let r = this.records.get(name);
    if (!r) this.records.set(name, (r = new ContainerRecord(name, init, policy)));
    return r;
  }
}

interface StepResult {
  /** An init container that completed. */
  done?: boolean;
  /** Ended and will not be restarted. */
  failed?: boolean;
  requeueAfter?: number;
}

function keyOf(pod: Pod__Output): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
}

function isTerminalPhase(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Whether an exited instance is started again under the pod's restartPolicy. */
function shouldRestart(policy: string, init: boolean, exitCode: number): boolean {
  if (policy === 'Never') return false;
  if (init || policy === 'OnFailure') return exitCode !== 0;
  return true;
}

function quantity(v: string | undefined): number {
  return v ? (parseQuantity(v) ?? 0) : 0;
}

/**
 * Every pod this agent runs. sync(key) is the only place that acts; it must be called by
 * one worker per key at a time (the work queue guarantees it). The lookups for the gRPC
 * server (findContainer) may be called at any time.
 */
export class PodManager {
  /** By pod uid. */
  private readonly states = new Map<string, PodState>();
  /** Pod key → the uids of its states (an old and a new pod of the same name may overlap). */
  private readonly byKey = new Map<string, Set<string>>();
  /** Pod key → the uid of the pod whose graceful deletion this agent completed last: until
   * the informer drops it, the cached pod is not taken for a new one. */
  private readonly deleted = new Map<string, string>();
  /** Stops running in the background (see stopInBackground()). */
  private readonly stops = new Set<Promise<void>>();
  private readonly cfg: PodManagerConfig;

  /** The discovery variables' source for one container start. A client that cannot list (a
   * unit test's fake) gives none, as a kubelet without a service lister does. */
  private serviceLister(cache: Map<string, unknown>): ServiceLister | undefined {
    if (this.cfg.services) return this.cfg.services;
    const client = this.cfg.client as Partial<Pick<ShoalClient, 'list'>>;
    return typeof client.list === 'function' ? clientServiceLister(this.cfg.client, cache, this.cfg.signal) : undefined;
  }

  constructor(cfg: PodManagerConfig) {
    this.cfg = cfg;
  }

  /** Pods whose last computed phase is Running. */
  runningCount(): number {
    let n = 0;
    for (const s of this.states.values()) if (s.phase === 'Running') n++;
    return n;
  }

  /** Every pod key with a state (for the gRPC server and tests). */
  keys(): string[] {
    return [...this.byKey.keys()];
  }

  private statesFor(key: string): PodState[] {
    return [...(this.byKey.get(key) ?? [])].map((uid) => this.states.get(uid)).filter((s): s is PodState => !!s);
  }

  private add(st: PodState): void {
    this.states.set(st.uid, st);
    let set = this.byKey.get(st.key);
    if (!set) this.byKey.set(st.key, (set = new Set()));
    set.add(st.uid);
  }

  private forget(st: PodState): void {
    for (const r of st.records.values()) r.stopProbes();
    st.abort.abort();
    this.states.delete(st.uid);
    const set = this.byKey.get(st.key);
    set?.delete(st.uid);
    if (set?.size === 0) this.byKey.delete(st.key);
  }

  /** The running pod state for a key (the gRPC server's lookup). */
  stateFor(namespace: string, name: string): { pod: Pod__Output; records: Map<string, { current?: ContainerHandle; previous?: ContainerHandle }> } | undefined {
    const key = `${namespace}/${name}`;
    const pod = this.cfg.getPod(key);
    const st = this.statesFor(key).find((s) => !pod || s.uid === pod.metadata?.uid);
    return st ? { pod: st.pod, records: st.records } : undefined;
  }

  // ---- recovery ----

  /**
   * Re-adopts what a previous agent left running: called once, before the first sync, with
   * the driver's recover() and the informer's synced pods. Containers of this node's pods
   * (by uid) keep running with their ids, attempts and start times; containers of pods that
   * no longer exist are torn down by the first sync of their key.
   */
  adopt(handles: ContainerHandle[], pods: Pod__Output[]): string[] {
    const podsByUid = new Map(pods.map((p) => [p.metadata?.uid ?? '', p]));
    const byUid = new Map<string, ContainerHandle[]>();
    for (const h of handles) {
      if (!h.pod.uid) continue;
      let list = byUid.get(h.pod.uid);
      if (!list) byUid.set(h.pod.uid, (list = []));
      list.push(h);
    }
    const keys = new Set<string>();
    for (const [uid, list] of byUid) {
      const pod: Pod__Output = podsByUid.get(uid) ?? {
        metadata: { uid, namespace: list[0]!.pod.namespace, name: list[0]!.pod.name },
        spec: {},
      };
      const st = new PodState(uid, keyOf(pod), pod);
      st.adopted = true;
      const sandbox = list.find((h) => h.role === 'sandbox');
      if (sandbox) {
        st.adoptedSandbox = sandbox.id;
        st.sandboxSeen = true;
      }
      st.startTime = pod.status?.startTime;
      const initNames = new Set((pod.spec?.initContainers ?? []).map((c) => c.name ?? ''));
      const statuses = new Map<string, ContainerStatus__Output>();
      for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) statuses.set(s.name ?? '', s);
      const byName = new Map<string, ContainerHandle[]>();
      for (const h of list) {
        if (h.role !== 'container') continue;
        let l = byName.get(h.name);
        if (!l) byName.set(h.name, (l = []));
        l.push(h);
      }
      for (const [name, instances] of byName) {
        instances.sort((a, b) => b.attempt - a.attempt);
        const rec = st.record(name, initNames.has(name), this.cfg.backoff);
        const [current, previous, ...older] = instances;
        rec.current = current;
        rec.restartCount = current!.attempt;
        rec.previous = previous?.status.state === 'exited' ? previous : undefined;
        for (const h of previous && !rec.previous ? [previous, ...older] : older) {
          void this.cfg.driver.removeContainer(h.id).catch((err: unknown) => this.cfg.logger.warn(`remove old container ${h.id}: ${errMessage(err)}`));
        }
        const s = statuses.get(name);
        const matches = s?.containerID === containerID(this.cfg.driver.name, current!.id);
        if (matches && s?.lastState?.terminated) rec.lastTerminated = s.lastState.terminated;
        else if (rec.previous) rec.lastTerminated = terminatedState(this.cfg.driver.name, rec.previous);
        if (matches && current!.status.state === 'running') rec.seed = { started: s?.started ?? false, ready: s?.ready ?? false };
        // An instance that ended while the agent was away was already accounted for if the
        // status says so; else its exit is handled (back-off, restart) like any other.
        if (matches && s?.state?.terminated) rec.exitSeen = current!.id;
      }
      this.add(st);
      keys.add(st.key);
    }
    return [...keys];
  }

  /** Removes pod directories that belong to no pod this agent knows (after adopt()). */
  async removeStrayPodDirs(livePodUids: Set<string>): Promise<void> {
    const entries = await readdir(join(this.cfg.dataDir, 'pods')).catch(() => [] as string[]);
    for (const uid of entries) {
      if (livePodUids.has(uid) || this.states.has(uid)) continue;
      await removePodDir(this.cfg.dataDir, uid);
    }
  }

  /** Resolves when every stop running in the background has ended (the agent's stop, and
   * tests). */
  async idle(): Promise<void> {
    while (this.stops.size > 0) await Promise.all([...this.stops]);
  }

  /** Stops probes and watches (the agent is stopping); containers keep running. */
  shutdown(): void {
    for (const st of this.states.values()) {
      for (const r of st.records.values()) r.stopProbes();
      st.abort.abort();
    }
  }

  /**
   * Called by the informer's handlers for every change of a pod key, before it is queued:
   * while a stop waits out a grace period (the pod's termination, or a container's kill), a
   * deletion with a shorter one (or a forced removal) must cut it short at once, as with the
   * kubelet.
   */
  observe(key: string, pod: Pod__Output | undefined): void {
    const now = Date.now();
    for (const st of this.statesFor(key)) {
      if (st.stopDeadline === undefined) continue;
      const same = pod?.metadata?.uid === st.uid;
      const grace = same ? pod?.metadata?.deletionGracePeriodSeconds : GONE_GRACE_SECONDS;
      if (grace === undefined) continue;
      const deadline = now + grace * 1000;
      if (deadline >= st.stopDeadline - 500) continue;
      st.stopDeadline = deadline;
      for (const r of st.records.values()) {
        const h = r.current;
        if (!h || h.status.state === 'exited') continue;
        void this.cfg.driver.stopContainer(h.id, grace).catch((err: unknown) => this.cfg.logger.warn(`pod ${st.key}: stop ${h.id}: ${errMessage(err)}`));
      }
    }
  }

  // ---- sync ----

  async sync(key: string): Promise<ReconcileResult | void> {
    if (this.cfg.signal.aborted) return;
    const pod = this.cfg.getPod(key);
    const uid = pod?.metadata?.uid;
    if (this.deleted.has(key) && this.deleted.get(key) !== uid) this.deleted.delete(key);
    // A background stop that failed is reported once, so the work queue retries with
    // back-off; the retry starts what is left of it again.
    for (const st of this.statesFor(key)) {
      const failed = st.stopFailed;
      if (!failed) continue;
      for (const s of this.statesFor(key)) s.stopFailed = undefined;
      throw failed.error;
    }
    // Pods gone from the API, or replaced by a new pod of the same name: tear down, in the
    // background (a new pod of the name starts meanwhile).
    for (const st of this.statesFor(key)) {
      if (st.uid === uid) continue;
      const grace = st.pod.metadata?.deletionTimestamp ? (st.pod.metadata.deletionGracePeriodSeconds ?? GONE_GRACE_SECONDS) : GONE_GRACE_SECONDS;
      this.terminate(st, grace, false);
    }
    if (!pod || !uid) return;
    let st = this.states.get(uid);
    if (!st) {
      // A pod that ended before this agent (re)started stays as it is; so does one whose
      // deletion this agent just completed (the informer has not dropped it yet).
      if (isTerminalPhase(pod.status?.phase) || this.deleted.get(key) === uid) return;
      st = new PodState(uid, key, pod);
      this.seedFromStatus(st, pod);
      this.add(st);
    }
    // The cache may lag behind the status this agent wrote last.
    if (Number(pod.metadata?.resourceVersion) >= Number(st.pod.metadata?.resourceVersion ?? 0)) st.pod = pod;
    // Stopping containers in the background: nothing to do until it ends (it queues the key
    // then).
    if (st.stopping) return;

    if (pod.metadata?.deletionTimestamp) {
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
      this.terminate(st, grace, true);
      return;
    }
    if (isTerminalPhase(pod.status?.phase)) {
      // Terminal: nothing runs again. Anything still running (it should not) is stopped; the
      // sync after that stop releases the sandbox.
      if ([...st.records.values()].some((r) => r.running)) {
        this.stopInBackground(st, () => this.stopPod(st, pod.spec?.terminationGracePeriodSeconds ?? 30));
        return;
      }
      for (const r of st.records.values()) r.stopProbes();
      st.phase = pod.status!.phase as PodPhase;
      await this.releaseSandbox(st);
      return;
    }
    return this.run(st);
  }

  /**
   * Runs `work` in the background, as the kubelet's pod workers do: a stop of some of the
   * pod's containers within their grace period (preStop, SIGTERM, SIGKILL), and what must
   * follow it before the pod is looked at again. Every stop that waits out a grace period
   * goes through here (a termination, a restart's kill, activeDeadlineSeconds, a dead
   * sandbox), so the sync that starts one returns at once and no grace period holds a
   * work-queue worker (a few such pods would otherwise stop every other pod of the node from
   * starting or reporting).
   *
   * One per pod, and only from a sync of it: while it runs, syncs of the pod do nothing
   * (nothing stops a container twice, nothing restarts one that is still stopping); when it
   * ends, the pod's key is queued, and that level-triggered sync carries on from what the
   * stop left. A failure is reported by that sync (see sync()). Does nothing when a stop is
   * already running: the sync after it does what is still needed.
   */
  private stopInBackground(st: PodState, work: () => Promise<void>): void {
    if (st.stopping) return;
    const done: Promise<void> = (async () => work())()
      .catch((err: unknown) => {
        st.stopFailed = { error: err };
      })
      .finally(() => {
        st.stopping = undefined;
        this.stops.delete(done);
        this.cfg.enqueue(st.key);
      });
    st.stopping = done;
    this.stops.add(done);
  }

  /**
   * Ends a pod in the background: its containers are stopped within the grace period, what
   * it had is removed, and for a graceful deletion (`finish`) the pod is deleted from the API
   * with grace 0.
   */
  private terminate(st: PodState, graceSeconds: number, finish: boolean): void {
    this.stopInBackground(st, async () => {
      await this.stopAll(st, graceSeconds);
      await this.cleanup(st);
      if (finish) await this.finishDeletion(st);
      this.forget(st);
      if (finish) this.deleted.set(st.key, st.uid);
    });
  }

  /** Continues the restart count of containers an earlier agent ran (gone since). */
  private seedFromStatus(st: PodState, pod: Pod__Output): void {
    const inits = new Set((pod.spec?.initContainers ?? []).map((c) => c.name ?? ''));
    for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      if (!s.containerID || !s.name) continue;
      const rec = st.record(s.name, inits.has(s.name), this.cfg.backoff);
      rec.nextAttempt = (s.restartCount ?? 0) + 1;
      rec.restartCount = s.restartCount ?? 0;
      if (s.lastState?.terminated) rec.lastTerminated = s.lastState.terminated;
    }
    st.startTime = pod.status?.startTime;
  }

  private async run(st: PodState): Promise<ReconcileResult | void> {
    const { driver } = this.cfg;
    const pod = st.pod;
    const spec = pod.spec ?? {};
    const policy = spec.restartPolicy || 'Always';
    let requeue = Infinity;
    const need = (ms: number | undefined): void => {
      if (ms !== undefined && ms >= 0) requeue = Math.min(requeue, ms);
    };
    st.startTime ??= timestamp();
    let initialized = (spec.initContainers ?? []).length === 0;
    let initFailed = false;
    /** What made this pass fail: a failed status write must not hide it. */
    let failed: { error: unknown } | undefined;
    try {
      const deadline = spec.activeDeadlineSeconds;
      if (deadline !== undefined && deadline > 0 && !st.failure) {
        const left = Date.parse(st.startTime) + deadline * 1000 - Date.now();
        if (left <= 0) {
          st.failure = { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' };
          this.cfg.events?.record(pod, 'Normal', 'DeadlineExceeded', st.failure.message);
          this.stopInBackground(st, () => this.stopPod(st, spec.terminationGracePeriodSeconds ?? 30));
        } else {
          need(left);
        }
      }
      if (st.failure) return;
      if (!st.sandboxReleased) await this.checkSandbox(st, policy);
      if (st.stopping) return;
      st.sandbox ??= await driver.ensureSandbox({
        pod: st.ref,
        hostname: spec.hostname || pod.metadata?.name || '',
        hostNetwork: spec.hostNetwork ?? false,
        ...(this.cfg.clusterDNS ? { dns: podDNS(pod, this.cfg.clusterDNS) } : {}),
      });
      st.adoptedSandbox = undefined;
      if (!st.sandboxReleased) this.watchSandbox(st, st.sandbox);
      const refreshMs = this.cfg.volumeRefreshMs ?? RESYNC_MS;
      if (st.volumes && hasProjectedVolumes(pod)) {
        // ConfigMap and Secret changes reach running pods (as the kubelet's periodic sync).
        if (Date.now() - st.volumesAt >= refreshMs) {
          try {
            st.volumes = await prepareVolumes(pod, { driver, client: this.cfg.client, dataDir: this.cfg.dataDir, signal: this.cfg.signal });
            st.volumesAt = Date.now();
          } catch (err) {
            if (!(err instanceof VolumeError)) throw err;
            this.cfg.logger.warn(`pod ${st.key}: refresh volumes: ${err.message}`);
          }
        }
        need(Math.max(1, st.volumesAt + refreshMs - Date.now()));
      }
      if (!st.volumes) {
        try {
          st.volumes = await prepareVolumes(pod, { driver, client: this.cfg.client, dataDir: this.cfg.dataDir, signal: this.cfg.signal });
          st.volumesAt = Date.now();
        } catch (err) {
          if (!(err instanceof VolumeError)) throw err;
          const inits = new Set(spec.initContainers ?? []);
          for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
            const rec = st.record(c.name ?? '', inits.has(c), this.cfg.backoff);
            if (!rec.current) this.setWaiting(st, rec, 'ContainerCreating', `MountVolume.SetUp failed: ${err.message}`);
          }
          need(CONFIG_RETRY_MS);
        }
      }
      if (st.volumes) {
        initialized = true;
        for (const c of spec.initContainers ?? []) {
          const rec = st.record(c.name ?? '', true, this.cfg.backoff);
          const r = await this.step(st, rec, c, policy);
          need(r.requeueAfter);
          // (A kill under way is not done either: the sync after it goes on.)
          if (!r.done) {
            initialized = false;
            initFailed = r.failed ?? false;
            break;
          }
        }
        for (const c of spec.containers ?? []) {
          const rec = st.record(c.name ?? '', false, this.cfg.backoff);
          if (!initialized) {
            if (!rec.current) rec.waiting = { reason: 'PodInitializing' };
            continue;
          }
          if (this.cfg.signal.aborted) break;
          need((await this.step(st, rec, c, policy)).requeueAfter);
          // A kill under way: the pass ends here, the sync after it goes on.
          if (st.stopping) break;
        }
      }
    } catch (err) {
      failed = { error: err };
      throw err;
    } finally {
      // Whatever happened, the status says what is now true. A failed write does not hide
      // the pass's own error: that one is reported (and retried on), this one logged. While
      // a stop runs in the background, the sync after it writes the status: before, it would
      // show what is about to change (a pod the agent ends, Failed with containers still
      // running: the kubelet reports no terminal phase while one may still run).
      if (!this.cfg.signal.aborted && !st.stopping) {
        await this.writeStatus(st, initialized, initFailed, policy).catch((err: unknown) => {
          if (!failed) throw err;
          this.cfg.logger.warn(`pod ${st.key}: write status: ${errMessage(err)}`);
        });
      }
    }
    // A stop under way: its end queues the key.
    if (st.stopping) return;
    if (st.phase === 'Succeeded' || st.phase === 'Failed') {
      for (const r of st.records.values()) r.stopProbes();
      await this.releaseSandbox(st);
      return;
    }
    if (st.phase === 'Running') need(RESYNC_MS);
    return Number.isFinite(requeue) ? { requeueAfter: Math.max(1, Math.ceil(requeue)) } : undefined;
  }

  /** Brings one container one step closer to its spec. */
  private async step(st: PodState, rec: ContainerRecord, c: Container__Output, policy: string): Promise<StepResult> {
    const cur = rec.current;
    if (cur?.status.state === 'running') {
      if (!rec.kill && cur.image && c.image && cur.image !== c.image && this.cfg.driver.name !== 'process') {
        rec.kill = { reason: 'SpecChanged', message: `Container ${c.name ?? ''} definition changed, will be restarted` };
      }
      if (!rec.kill) {
        this.watch(st, rec, cur);
        // An adopted container gets its probes on the first pass.
        if (!rec.prober && rec.exitSeen !== cur.id) this.startProber(st, rec, c, cur);
        return {};
      }
      // Stopped in the background; the sync after it sees the exit and restarts it (with the
      // back-off).
      this.stopInBackground(st, () => this.killContainer(st, rec, c, cur));
      return {};
    }
    if (cur?.status.state === 'exited') {
      const { exitCode } = cur.status;
      if (rec.exitSeen !== cur.id) this.onExit(st, rec, cur, policy);
      if (rec.init && exitCode === 0 && !rec.rerun) {
        rec.waiting = undefined;
        return { done: true };
      }
      if (!shouldRestart(policy, rec.init, exitCode) && rec.startReason !== 'SpecChanged' && !rec.rerun) {
        rec.waiting = undefined;
        return { failed: true };
      }
      const left = rec.crash.remaining();
      if (left > 0) {
        const delay = rec.crash.until - (Date.parse(cur.status.finishedAt) || rec.crash.until - left);
        this.setWaiting(
          st,
          rec,
          'CrashLoopBackOff',
          `back-off ${formatDuration(Math.max(delay, left))} restarting failed container=${rec.name} pod=${st.pod.metadata?.name ?? ''}_${st.pod.metadata?.namespace ?? ''}(${st.uid})`,
        );
        return { requeueAfter: left };
      }
    }
    if (this.cfg.signal.aborted) return {};
    return this.start(st, rec, c);
  }

  /** Sets why a container waits; a new reason is also an Event (BackOff, Failed, ...). */
  private setWaiting(st: PodState, rec: ContainerRecord, reason: string, message?: string): void {
    const changed = rec.waiting?.reason !== reason;
    rec.waiting = message ? { reason, message } : { reason };
    const events = this.cfg.events;
    if (!events || !changed) return;
    const pod = st.pod;
    switch (reason) {
      case 'CrashLoopBackOff':
        events.record(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${rec.name} in pod ${pod.metadata?.name ?? ''}`, rec.name);
        break;
      case 'ImagePullBackOff':
        events.record(pod, 'Normal', 'BackOff', message ?? 'Back-off pulling image', rec.name);
        break;
      case 'ErrImagePull':
      case 'ErrImageNeverPull':
      case 'CreateContainerConfigError':
      case 'RunContainerError':
        events.record(pod, 'Warning', 'Failed', `Error: ${reason}: ${message ?? ''}`, rec.name);
        break;
      case 'ContainerCreating':
        if (message) events.record(pod, 'Warning', 'FailedMount', message);
        break;
    }
  }

  /** Accounts for an instance's exit once: probes stop, the back-off grows. */
  private onExit(st: PodState, rec: ContainerRecord, cur: ContainerHandle, policy: string): void {
    if (cur.status.state !== 'exited') return;
    rec.exitSeen = cur.id;
    rec.stopProbes();
    rec.started = false;
    rec.ready = false;
    const kill = rec.kill;
    rec.kill = undefined;
    rec.startReason = kill?.reason ?? cur.status.reason;
    if (kill?.reason === 'SpecChanged') {
      rec.crash.reset();
      return;
    }
    // Not the container's failure: restarted in the new sandbox without a longer back-off.
    if (kill?.reason === 'SandboxChanged') return;
    if (!shouldRestart(policy, rec.init, cur.status.exitCode)) return;
    const finished = Date.parse(cur.status.finishedAt) || Date.now();
    const started = cur.status.startedAt ? Date.parse(cur.status.startedAt) : finished;
    // Counted from when the agent sees it, so a late observation does not skip the back-off.
    const delay = rec.crash.failed(Date.now(), finished - started);
    if (kill) this.cfg.logger.info(`pod ${st.key}: container ${rec.name} ${kill.message}; restarting in ${formatDuration(delay)}`);
  }

  /** Starts the next instance of a container: pull, config, mounts, start, watch, probes. */
  private async start(st: PodState, rec: ContainerRecord, c: Container__Output): Promise<StepResult> {
    const { driver } = this.cfg;
    const pod = st.pod;
    const image = c.image ?? '';
    const name = c.name ?? '';
    // Image.
    const pullLeft = rec.pull.remaining();
    if (pullLeft > 0) {
      const reason = rec.pullError?.reason === 'ErrImageNeverPull' ? 'ErrImageNeverPull' : 'ImagePullBackOff';
      this.setWaiting(st, rec, reason, reason === 'ImagePullBackOff' ? `Back-off pulling image "${image}"` : rec.pullError?.message);
      return { requeueAfter: pullLeft };
    }
    try {
      await driver.pullImage(image, (c.imagePullPolicy || 'IfNotPresent') as PullPolicy, this.cfg.signal);
      rec.pull.reset();
      rec.pullError = undefined;
    } catch (err) {
      if (!(err instanceof ImagePullError)) throw err;
      const delay = rec.pull.failed(Date.now());
      rec.pullError = { reason: err.reason, message: err.message };
      this.setWaiting(st, rec, err.reason, err.message);
      // ErrImagePull shows until a pass halfway through the back-off shows ImagePullBackOff.
      return { requeueAfter: Math.min(Math.ceil(delay / 2), 1000) };
    }
    // Configuration.
    const podIP = st.sandbox?.ip ?? '';
    let env: Record<string, string>;
    let spec: ContainerSpec;
    try {
      const cache = new Map<string, unknown>();
      env = await containerEnv(c, {
        client: this.cfg.client,
        services: this.serviceLister(cache),
        pod,
        podIP,
        hostIP: this.cfg.hostIP,
        nodeName: this.cfg.nodeName,
        nodeCpu: this.cfg.nodeCpu,
        nodeMemory: this.cfg.nodeMemory,
        signal: this.cfg.signal,
        cache,
      });
      const mounts = await containerMounts(c, st.volumes ?? new Map<string, PreparedVolume>());
      const limits = c.resources?.limits ?? {};
      const attempt = rec.current ? rec.current.attempt + (rec.current.status.state === 'created' ? 0 : 1) : rec.nextAttempt;
      spec = {
        pod: st.ref,
        sandbox: st.sandbox!,
        name,
        attempt,
        image,
        env,
        cpuMillis: Math.round(quantity(limits.cpu) * 1000),
        memoryBytes: Math.round(quantity(limits.memory)),
        mounts,
        stdin: c.stdin ?? false,
        stdinOnce: c.stdinOnce ?? false,
        tty: c.tty ?? false,
      };
      if (c.command?.length) spec.command = c.command.map((s) => expandVars(s, env));
      if (c.args?.length) spec.args = c.args.map((s) => expandVars(s, env));
      if (c.workingDir) spec.workingDir = c.workingDir;
    } catch (err) {
      if (!(err instanceof ContainerConfigError) && !(err instanceof VolumeError)) throw err;
      this.setWaiting(st, rec, 'CreateContainerConfigError', err.message);
      return { requeueAfter: CONFIG_RETRY_MS };
    }
    // Start.
    let handle: ContainerHandle;
    try {
      handle = await driver.startContainer(spec);
    } catch (err) {
      if (this.cfg.signal.aborted) return {};
      const delay = rec.crash.failed(Date.now());
      this.setWaiting(st, rec, 'RunContainerError', errMessage(err));
      this.cfg.logger.warn(`pod ${st.key}: container ${name}: ${errMessage(err)}; retrying in ${formatDuration(delay)}`);
      return { requeueAfter: delay };
    }
    const old = rec.current;
    if (old && old.id !== handle.id) {
      // The ended instance is kept for `logs --previous`; the one before it goes.
      const older = rec.previous;
      if (older && older.id !== handle.id) {
        await driver.removeContainer(older.id).catch((err: unknown) => this.cfg.logger.warn(`pod ${st.key}: remove container ${older.id}: ${errMessage(err)}`));
      }
      rec.previous = old;
      rec.lastTerminated = terminatedState(driver.name, old);
    }
    this.cfg.metrics.containerStarts.inc({ reason: handle.attempt === 0 ? 'initial' : rec.startReason });
    this.cfg.events?.record(pod, 'Normal', 'Started', `Started container ${name}`, name);
    rec.current = handle;
    rec.restartCount = handle.attempt;
    rec.waiting = undefined;
    rec.kill = undefined;
    rec.rerun = false;
    rec.seed = undefined;
    rec.started = false;
    rec.ready = false;
    this.watch(st, rec, handle);
    const postStart = c.lifecycle?.postStart;
    if (postStart && handle.status.state === 'running') {
      const r = await runHandler(driver, postStart, this.target(st, c, handle.id), POST_START_TIMEOUT_MS, this.cfg.signal);
      if (!r.ok && rec.current?.id === handle.id) {
        rec.kill = { reason: 'PostStartHookError', message: `PostStartHookError: ${r.message ?? ''}` };
        this.cfg.enqueue(st.key);
        return {};
      }
    }
    if (handle.status.state === 'running') this.startProber(st, rec, c, handle);
    return {};
  }

  /** Waits (briefly) for stopped instances to report their exit, so the status shows it. */
  private async refreshExited(st: PodState): Promise<void> {
    await Promise.all(
      [...st.records.values()].map(async (r) => {
        const h = r.current;
        if (!h || h.status.state === 'exited') return;
        const status = await this.cfg.driver.waitContainer(h.id, AbortSignal.timeout(5_000)).catch(() => undefined);
        if (status && r.current?.id === h.id) {
          r.current = { ...h, status };
          r.exitSeen = h.id;
        }
      }),
    );
  }

  /** An ended pod keeps its exited containers (for logs) but not its sandbox and IP. */
  private async releaseSandbox(st: PodState): Promise<void> {
    if (st.sandboxReleased || !st.sandbox) return;
    st.sandboxReleased = true;
    await this.cfg.driver.removeSandbox(st.ref).catch((err: unknown) => this.cfg.logger.warn(`pod ${st.key}: release sandbox: ${errMessage(err)}`));
  }

  /**
   * The kubelet's sandbox check, on every sync: a sandbox that exited or is gone took the
   * pod's network (and IP) with it. Its containers are stopped (within their grace period)
   * and the sandbox removed, in the background; the sync after that creates a new one and
   * starts the containers again per restartPolicy (attempt and restartCount + 1, no longer
   * back-off), init containers first.
   */
  private async checkSandbox(st: PodState, policy: string): Promise<void> {
    const { driver } = this.cfg;
    const id = st.sandbox?.id ?? st.adoptedSandbox;
    if (!id) return;
    const seen = await driver.inspect(id);
    if (seen?.status.state === 'running') {
      st.sandboxSeen = true;
      return;
    }
    if (!seen && !st.sandboxSeen) return;
    this.cfg.logger.info(`pod ${st.key}: sandbox ${id} ${seen ? 'exited' : 'is gone'}; stopping the pod's containers and creating a new one`);
    this.cfg.events?.record(st.pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
    const spec = st.pod.spec ?? {};
    const specs = new Map<string, Container__Output>();
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) specs.set(c.name ?? '', c);
    this.stopInBackground(st, async () => {
      await Promise.all(
        [...st.records.values()].map(async (r) => {
          const cur = r.current;
          if (!cur) return;
          if (cur.status.state === 'exited') {
            // A completed init container runs again before the others (not under Never: that
            // pod ends with its killed containers).
            if (r.init && policy !== 'Never') r.rerun = true;
            return;
          }
          r.kill = { reason: 'SandboxChanged', message: 'pod sandbox changed, it will be killed and re-created' };
          await this.killContainer(st, r, specs.get(r.name) ?? { name: r.name }, cur);
        }),
      );
      await driver.removeSandbox(st.ref);
      st.sandbox = undefined;
      st.sandboxWatched = undefined;
      st.adoptedSandbox = undefined;
      st.sandboxSeen = false;
    });
  }

  /** Enqueues the pod when its sandbox exits. One watch per sandbox. */
  private watchSandbox(st: PodState, sandbox: Sandbox): void {
    if (st.sandboxWatched === sandbox.id) return;
    st.sandboxWatched = sandbox.id;
    const signal = st.abort.signal;
    const { driver } = this.cfg;
    const current = (): boolean => !signal.aborted && !st.sandboxReleased && st.sandbox?.id === sandbox.id;
    driver.waitContainer(sandbox.id, signal).then(
      () => {
        if (current()) this.cfg.enqueue(st.key);
      },
      async () => {
        if (!current()) return;
        // Drivers whose sandboxes are not processes (process, simulated) have nothing to
        // wait for; a failed wait is looked at again by the next sync.
        const seen = await driver.inspect(sandbox.id).catch(() => undefined);
        if (!current()) return;
        if (seen?.status.state === 'running') {
          if (st.sandboxWatched === sandbox.id) st.sandboxWatched = undefined;
          return;
        }
        this.cfg.enqueue(st.key);
      },
    );
  }

  /** Follows an instance until it exits, then enqueues the pod. One watch per instance. */
  private watch(st: PodState, rec: ContainerRecord, h: ContainerHandle): void {
    if (rec.watched === h.id) return;
    rec.watched = h.id;
    const signal = st.abort.signal;
    const { driver } = this.cfg;
    const update = (status: ContainerHandle['status']): void => {
      if (rec.current?.id === h.id) rec.current = { ...rec.current, status };
      this.cfg.enqueue(st.key);
    };
    driver.waitContainer(h.id, signal).then(
      (status) => update(status),
      async (err: unknown) => {
        if (signal.aborted) return;
        // The wait failed: look again; a container that vanished ended unknown.
        const seen = await driver.inspect(h.id).catch(() => undefined);
        if (signal.aborted) return;
        if (!seen) {
          update({ state: 'exited', exitCode: 137, reason: 'ContainerStatusUnknown', finishedAt: new Date().toISOString() });
        } else if (seen.status.state === 'exited') {
          update(seen.status);
        } else {
          this.cfg.logger.warn(`pod ${st.key}: waiting for container ${h.id}: ${errMessage(err)}`);
          if (rec.watched === h.id) rec.watched = undefined;
          this.cfg.enqueue(st.key);
        }
      },
    );
  }

  private target(st: PodState, c: Container__Output, id: string): HandlerTarget {
    return { containerId: id, podIP: st.sandbox?.ip ?? '127.0.0.1', ports: c.ports ?? [] };
  }

  private startProber(st: PodState, rec: ContainerRecord, c: Container__Output, h: ContainerHandle): void {
    rec.stopProbes();
    if (rec.init) {
      rec.started = true;
      rec.ready = false;
      return;
    }
    if (!c.startupProbe && !c.livenessProbe && !c.readinessProbe) {
      rec.started = true;
      rec.ready = true;
      return;
    }
    const seed = rec.seed;
    rec.ready = seed?.ready ?? false;
    const mine = (): boolean => rec.current?.id === h.id && !st.abort.signal.aborted;
    const prober = new ContainerProber(
      this.cfg.driver,
      this.target(st, c, h.id),
      c,
      {
        onStarted: () => {
          if (!mine()) return;
          rec.started = true;
          if (!c.readinessProbe) rec.ready = true;
          this.cfg.enqueue(st.key);
        },
        onReady: (ready, message) => {
          if (!mine()) return;
          if (!ready) this.cfg.events?.record(st.pod, 'Warning', 'Unhealthy', `Readiness probe failed: ${message ?? ''}`, rec.name);
          rec.ready = ready;
          this.cfg.enqueue(st.key);
        },
        onFailed: (kind, message) => {
          if (!mine()) return;
          rec.kill = {
            reason: kind === 'liveness' ? 'LivenessProbe' : 'StartupProbe',
            message: `failed ${kind} probe, will be restarted (${message})`,
          };
          this.cfg.events?.record(st.pod, 'Warning', 'Unhealthy', message, rec.name);
          this.cfg.enqueue(st.key);
        },
      },
      this.cfg.metrics,
      seed ? { started: seed.started, ready: seed.ready } : {},
    );
    rec.prober = prober;
    prober.start();
  }

  /** Stops a running instance for a restart (liveness, startup, changed image, new sandbox)
   * and records its exit: the work of a background stop (stopInBackground). */
  private async killContainer(st: PodState, rec: ContainerRecord, c: Container__Output, cur: ContainerHandle): Promise<void> {
    rec.stopProbes();
    if (rec.kill) this.cfg.events?.record(st.pod, 'Normal', 'Killing', `Container ${rec.name} ${rec.kill.message}`, rec.name);
    const probe = rec.kill?.reason === 'LivenessProbe' ? c.livenessProbe : rec.kill?.reason === 'StartupProbe' ? c.startupProbe : undefined;
    const grace = probe?.terminationGracePeriodSeconds ?? st.pod.spec?.terminationGracePeriodSeconds ?? 30;
    const deadline = Date.now() + grace * 1000;
    // A deletion with a shorter grace period cuts the kill short (observe()); a deadline it
    // moved stays for the pod's termination that follows.
    st.stopDeadline = Math.min(st.stopDeadline ?? Infinity, deadline);
    try {
      await this.stopInstance(st, c, cur, deadline);
    } finally {
      if (st.stopDeadline === deadline) st.stopDeadline = undefined;
    }
    const status = await this.cfg.driver.waitContainer(cur.id, AbortSignal.timeout(10_000)).catch(async () => (await this.cfg.driver.inspect(cur.id))?.status);
    if (rec.current?.id === cur.id) {
      rec.current = {
        ...cur,
        status: status?.state === 'exited' ? status : { state: 'exited', exitCode: 137, reason: 'Error', finishedAt: new Date().toISOString() },
      };
    }
  }

  /** preStop (bounded by the deadline), then SIGTERM with what is left of the grace period,
   * then SIGKILL. */
  private async stopInstance(st: PodState, c: Container__Output | undefined, h: ContainerHandle, deadline: number): Promise<void> {
    const preStop = c?.lifecycle?.preStop;
    if (preStop && h.status.state === 'running') {
      const left = deadline - Date.now();
      if (left > 0) {
        const r = await runHandler(this.cfg.driver, preStop, this.target(st, c, h.id), left);
        if (!r.ok) this.cfg.logger.warn(`pod ${st.key}: container ${h.name}: preStop hook failed: ${r.message ?? ''}`);
      }
    }
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    // As the kubelet: a preStop hook that used up the grace period still leaves 2 s for SIGTERM.
    await this.cfg.driver.stopContainer(h.id, preStop && deadline > 0 ? Math.max(left, 2) : left);
  }

  /** Ends the pod's containers (activeDeadlineSeconds, or a terminal pod with one still
   * running) and records their exits, so the status that follows shows them: the work of a
   * background stop (stopInBackground). */
  private async stopPod(st: PodState, graceSeconds: number): Promise<void> {
    await this.stopAll(st, graceSeconds);
    await this.refreshExited(st);
  }

  /** Stops every running container of the pod within the grace period (from when
   * termination began), in parallel. */
  private async stopAll(st: PodState, graceSeconds: number): Promise<void> {
    st.terminatingSince ??= Date.now();
    const deadline = Math.min(st.stopDeadline ?? Infinity, st.terminatingSince + graceSeconds * 1000);
    st.stopDeadline = deadline;
    const specs = new Map<string, Container__Output>();
    for (const c of [...(st.pod.spec?.initContainers ?? []), ...(st.pod.spec?.containers ?? [])]) specs.set(c.name ?? '', c);
    for (const r of st.records.values()) r.stopProbes();
    await Promise.all(
      [...st.records.values()].map(async (r) => {
        const h = r.current;
        if (!h || h.status.state === 'exited') return;
        this.cfg.events?.record(st.pod, 'Normal', 'Killing', `Stopping container ${r.name}`, r.name);
        await this.stopInstance(st, specs.get(r.name), h, deadline);
      }),
    );
  }

  /** Removes the pod's containers, sandbox and directories (claims stay). */
  private async cleanup(st: PodState): Promise<void> {
    const { driver } = this.cfg;
    st.abort.abort();
    for (const r of st.records.values()) {
      for (const h of [r.current, r.previous]) {
        if (!h) continue;
        await driver.stopContainer(h.id, 0).catch(() => undefined);
        await driver.removeContainer(h.id);
      }
      r.current = undefined;
      r.previous = undefined;
    }
    await driver.removeSandbox(st.ref);
    st.sandbox = undefined;
    await removePodDir(this.cfg.dataDir, st.uid);
    st.volumes = undefined;
  }

  /** Completes a graceful deletion: removes the pod from the API, if it is still this one. */
  private async finishDeletion(st: PodState): Promise<void> {
    const { namespace, name } = st.ref;
    try {
      await retryOnConflict(async () => {
        const fresh = await this.cfg.client.get('Pod', namespace, name, { signal: this.cfg.signal });
        if (fresh.metadata?.uid !== st.uid) return;
        await this.cfg.client.delete('Pod', namespace, name, {
          gracePeriodSeconds: 0,
          resourceVersion: fresh.metadata.resourceVersion,
          signal: this.cfg.signal,
        });
      });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }

  private view(rec: ContainerRecord, c: Container__Output): ContainerView {
    const v: ContainerView = {
      name: rec.name,
      // The image of the instance that runs (after a spec change, the old one until restarted).
      image: rec.current?.image || c.image || '',
      restartCount: rec.restartCount,
      ready: rec.ready,
      started: rec.started,
    };
    if (rec.current) v.current = rec.current;
    if (rec.waiting) v.waiting = rec.waiting;
    if (rec.lastTerminated) v.lastTerminated = rec.lastTerminated;
    return v;
  }

  private async writeStatus(st: PodState, initialized: boolean, initFailed: boolean, policy: string): Promise<void> {
    const spec = st.pod.spec ?? {};
    const views = (list: Container__Output[] | undefined, init: boolean): ContainerView[] =>
      (list ?? []).map((c) => this.view(st.record(c.name ?? '', init, this.cfg.backoff), c));
    const initViews = views(spec.initContainers, true);
    const appViews = views(spec.containers, false).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const phase = st.failure ? 'Failed' : podPhase(policy, initialized, initFailed, appViews);
    st.phase = phase;
    if (phase === 'Running' && !st.startRecorded && appViews.every((v) => v.current?.status.state === 'running')) {
      st.startRecorded = true;
      if (!st.adopted) this.cfg.metrics.podStartDuration.observe((Date.now() - st.firstSeen) / 1000);
    }
    const build = (pod: Pod__Output) =>
      buildPodStatus(
        {
          pod,
          driverName: this.cfg.driver.name,
          hostIP: this.cfg.hostIP,
          podIP: st.sandbox?.ip,
          startTime: st.startTime,
          initContainers: initViews,
          containers: appViews,
          initialized,
          failure: st.failure,
        },
        phase,
      );
    if (!statusChanged(st.pod, build(st.pod))) return;
    let first = true;
    await retryOnConflict(async () => {
      let base = st.pod;
      if (!first) {
        try {
          base = (await this.cfg.client.get('Pod', st.ref.namespace, st.ref.name, { signal: this.cfg.signal })) as Pod__Output;
        } catch (err) {
          if (err instanceof NotFoundError) return;
          throw err;
        }
        if (base.metadata?.uid !== st.uid) return;
      }
      first = false;
      const next = build(base);
      if (!statusChanged(base, next)) return;
      const updated = (await this.cfg.client.updateStatus({ ...base, kind: 'Pod', apiVersion: 'v1', status: next }, { signal: this.cfg.signal })) as Pod__Output;
      // Compare the next pass with what was written, not with a cache that lags behind.
      if (Number(updated.metadata?.resourceVersion) > Number(st.pod.metadata?.resourceVersion)) st.pod = updated;
    }, 5);
  }

  /** Where a pod's agent-managed files live (tests). */
  podDir(uid: string): string {
    return podDir(this.cfg.dataDir, uid);
  }
}
