// Pod status from what the agent observes: phase, conditions and container statuses, as the
// kubelet's generateAPIPodStatus and getPhase compute them. Pure functions, so a pass that
// observes nothing new computes exactly the status already stored, and nothing is written.
import type { Condition__Output } from '../../lib/gen/shoal/v1/Condition.js';
import type { Container__Output } from '../../lib/gen/shoal/v1/Container.js';
import type { ContainerState__Output } from '../../lib/gen/shoal/v1/ContainerState.js';
import type { ContainerStateTerminated__Output } from '../../lib/gen/shoal/v1/ContainerStateTerminated.js';
import type { ContainerStatus__Output } from '../../lib/gen/shoal/v1/ContainerStatus.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import type { PodStatus__Output } from '../../lib/gen/shoal/v1/PodStatus.js';
import { deepEqual } from '../../lib/objects.js';
import type { ContainerHandle } from './driver.js';

/** RFC 3339 at whole seconds, as Kubernetes writes times. */
export function timestamp(ms: number | string = Date.now()): string {
  const d = typeof ms === 'string' ? new Date(ms) : new Date(ms);
  if (Number.isNaN(d.getTime())) return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** What the agent knows of one container of the pod. */
export interface ContainerView {
  name: string;
  /** The image the spec asks for. */
  image: string;
  /** The newest instance, running or exited; absent before the first start. */
  current?: ContainerHandle;
  /** Set while the container is not running and will be (re)started: ContainerCreating,
   * PodInitializing, ErrImagePull, ImagePullBackOff, CrashLoopBackOff,
   * CreateContainerConfigError, RunContainerError. */
  waiting?: { reason: string; message?: string };
  /** How the instance before `current` ended (lastState). */
  lastTerminated?: ContainerStateTerminated__Output;
  restartCount: number;
  /** Readiness (probe passed, or no readiness probe) of the running instance. */
  ready: boolean;
  /** The startup probe passed (or there is none) for the running instance. */
  started: boolean;
}

export interface StatusInput {
  pod: Pod__Output;
  /** "docker" or "process": container ids read "docker://<id>". */
  driverName: string;
  hostIP: string;
  podIP?: string;
  startTime?: string;
  initContainers: ContainerView[];
  containers: ContainerView[];
  /** Every init container has completed. */
  initialized: boolean;
  /** Why the agent ended the pod itself (DeadlineExceeded): status.reason and message. */
  failure?: { reason: string; message: string };
  now?: number;
}

export function containerID(driverName: string, id: string): string {
  return `${driverName}://${id}`;
}

/** The terminated state of an exited handle. */
export function terminatedState(driverName: string, h: ContainerHandle): ContainerStateTerminated__Output | undefined {
  if (h.status.state !== 'exited') return undefined;
  const t: ContainerStateTerminated__Output = {
    exitCode: h.status.exitCode,
    reason: h.status.reason,
    finishedAt: timestamp(h.status.finishedAt),
    containerID: containerID(driverName, h.id),
  };
  if (h.status.startedAt) t.startedAt = timestamp(h.status.startedAt);
  if (h.status.signal) t.signal = h.status.signal;
  return t;
}

function containerStatus(driverName: string, v: ContainerView): ContainerStatus__Output {
  const state: ContainerState__Output = {};
  let lastState: ContainerState__Output = v.lastTerminated ? { terminated: v.lastTerminated } : {};
  const cur = v.current;
  const running = cur?.status.state === 'running';
  if (v.waiting) {
    state.waiting = v.waiting.message ? { reason: v.waiting.reason, message: v.waiting.message } : { reason: v.waiting.reason };
    // An exited instance waiting to restart is the lastState (CrashLoopBackOff).
    const t = cur ? terminatedState(driverName, cur) : undefined;
    if (t) lastState = { terminated: t };
  } else if (cur?.status.state === 'running') {
    state.running = { startedAt: timestamp(cur.status.startedAt) };
  } else if (cur?.status.state === 'exited') {
    state.terminated = terminatedState(driverName, cur)!;
  } else {
    state.waiting = { reason: 'ContainerCreating' };
  }
  const s: ContainerStatus__Output = {
    name: v.name,
    state,
    lastState,
    ready: running && v.ready,
    restartCount: v.restartCount,
    image: v.image,
    imageID: cur?.imageID ?? '',
    started: running && v.started,
  };
  if (cur) s.containerID = containerID(driverName, cur.id);
  return s;
}

/** The pod phase from its containers, as the kubelet's getPhase. */
export function podPhase(restartPolicy: string, initialized: boolean, initFailed: boolean, containers: ContainerView[]): PodPhase {
  if (!initialized) return initFailed && restartPolicy === 'Never' ? 'Failed' : 'Pending';
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of containers) {
    const st = c.current?.status;
    if (st?.state === 'running') running++;
    else if (st?.state === 'exited') {
      stopped++;
      if (st.exitCode === 0) succeeded++;
    } else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** A condition that keeps its lastTransitionTime while its status stays the same. */
function condition(
  old: Condition__Output[] | undefined,
  type: string,
  status: boolean,
  now: string,
  reason?: string,
  message?: string,
): Condition__Output {
  const prev = old?.find((c) => c.type === type);
  const s = status ? 'True' : 'False';
  const c: Condition__Output = { type, status: s, lastTransitionTime: prev?.status === s && prev.lastTransitionTime ? prev.lastTransitionTime : now };
  if (prev?.lastProbeTime) c.lastProbeTime = prev.lastProbeTime;
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

function qosClass(containers: Container__Output[]): string {
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const limits = c.resources?.limits ?? {};
    const requests = c.resources?.requests ?? {};
    for (const r of ['cpu', 'memory']) {
      if (limits[r] || requests[r]) any = true;
      if (!limits[r] || (requests[r] && requests[r] !== limits[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** The status to write, from the observed state; carries over what the agent does not own
 * (PodScheduled and other conditions, nominatedNodeName). */
export function buildPodStatus(input: StatusInput, phase: PodPhase): PodStatus__Output {
  const { pod, driverName } = input;
  const old = pod.status ?? {};
  const now = timestamp(input.now);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const notInit = input.initContainers.filter((c) => !(c.current?.status.state === 'exited' && c.current.status.exitCode === 0));
  const unready = input.containers.filter((c) => !(c.current?.status.state === 'running' && c.ready));
  const readyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const unreadyMsg = terminal ? undefined : `containers with unready status: [${unready.map((c) => c.name).join(' ')}]`;
  const conditions: Condition__Output[] = [
    input.initialized
      ? condition(old.conditions, 'Initialized', true, now, terminal && input.initContainers.length ? 'PodCompleted' : undefined)
      : condition(old.conditions, 'Initialized', false, now, 'ContainersNotInitialized', `containers with incomplete status: [${notInit.map((c) => c.name).join(' ')}]`),
    unready.length === 0 && !terminal
      ? condition(old.conditions, 'Ready', true, now)
      : condition(old.conditions, 'Ready', false, now, readyReason, unreadyMsg),
    unready.length === 0 && !terminal
      ? condition(old.conditions, 'ContainersReady', true, now)
      : condition(old.conditions, 'ContainersReady', false, now, readyReason, unreadyMsg),
  ];
  const scheduled = old.conditions?.find((c) => c.type === 'PodScheduled');
  conditions.push(scheduled ?? { type: 'PodScheduled', status: 'True', lastTransitionTime: now });
  const owned = new Set(['Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  for (const c of old.conditions ?? []) if (c.type && !owned.has(c.type)) conditions.push(c);

  const status: PodStatus__Output = {
    phase,
    conditions,
    hostIP: input.hostIP,
    qosClass: old.qosClass || qosClass([...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]),
    containerStatuses: input.containers.map((c) => containerStatus(driverName, c)),
  };
  if (input.podIP) {
    status.podIP = input.podIP;
    status.podIPs = [{ ip: input.podIP }];
  }
  if (input.startTime) status.startTime = input.startTime;
  if (input.failure) {
    status.reason = input.failure.reason;
    status.message = input.failure.message;
  }
  if (input.initContainers.length) status.initContainerStatuses = input.initContainers.map((c) => containerStatus(driverName, c));
  if (old.nominatedNodeName) status.nominatedNodeName = old.nominatedNodeName;
  return status;
}

/** True when writing `next` would change the stored status. */
export function statusChanged(pod: Pod__Output, next: PodStatus__Output): boolean {
  return !deepEqual(pod.status ?? {}, next);
}
