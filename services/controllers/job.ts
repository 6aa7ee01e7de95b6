// The Job controller (Kubernetes' pkg/controller/job, NonIndexed mode): runs pods from the
// template until `completions` of them succeed, at most `parallelism` at once, and gives up
// after `backoffLimit` failures or `activeDeadlineSeconds`. A finished Job is deleted
// `ttlSecondsAfterFinished` later (Kubernetes' ttl-after-finished controller, folded in here).
//
// Pods are found by their controller ownerReference (the Job's uid), not by a selector:
// Shoal's API server does not generate Job selectors, so spec.selector is optional. Pods
// still carry the `controller-uid` and `job-name` labels Kubernetes puts on them.
//
// Counting. succeeded and failed live in the Job's status and only grow. Each pod is created
// with the finalizer batch.kubernetes.io/job-tracking, as Kubernetes does, so a finished pod
// cannot disappear (pod GC, a user's delete) before it is counted. Counting is durable and
// exactly once, by Kubernetes' protocol (trackJobStatusAndRemoveFinalizers):
//   1. a status write adds the uids of finished, still-finalized pods to
//      status.uncountedTerminatedPods (succeeded or failed);
//   2. their finalizers are removed;
//   3. a status write moves the uids whose pods no longer hold the finalizer (or are gone)
//      from uncountedTerminatedPods into succeeded/failed.
// A crash anywhere in between leaves the uid in exactly one place: a restarted controller
// finds it in uncountedTerminatedPods (and finishes steps 2-3) or in the counters with the
// finalizer gone. Decisions (completions reached, backoffLimit) use the counters plus the
// uncounted uids; the Complete/Failed condition is written only once none are left.
// In memory there is only what the cache has not caught up with yet: finalizer removals not
// yet observed (so a pass does not count those pods again) and whether the last status write
// was ours. When the Job was written by someone else after the pod cache's revision (a new
// manager whose informers listed at different revisions), the pass re-reads its pods from the
// API server before counting. Every status write carries the resourceVersion it was computed
// from, so a pass that read a stale Job fails with a conflict instead of counting twice.
//
// A pod deleted before it finished counts as failed — unless this controller deleted it
// (suspend, lower parallelism, deadline, completion): those uids are remembered, and such a
// pod counts only if it still succeeded. (After a restart that memory is gone; terminating
// pods of a suspended or finished Job still do not count.) Finished pods themselves are kept,
// as Kubernetes keeps them, until the Job goes.
import type { ShoalClient } from '../../lib/client.js';
import { AlreadyExistsError, NotFoundError } from '../../lib/errors.js';
import type { Condition__Output } from '../../lib/gen/shoal/v1/Condition.js';
import type { JobSpec__Output } from '../../lib/gen/shoal/v1/JobSpec.js';
import type { JobStatus__Output } from '../../lib/gen/shoal/v1/JobStatus.js';
import type { PodStatus__Output } from '../../lib/gen/shoal/v1/PodStatus.js';
import type { UncountedTerminatedPods__Output } from '../../lib/gen/shoal/v1/UncountedTerminatedPods.js';
import type { KubeObject } from '../../lib/kinds.js';
import { deepEqual } from '../../lib/objects.js';
import { retryOnConflict } from '../../lib/client.js';
import { getCondition, newCondition, parseTime, setCondition, timestamp } from '../../lib/conditions.js';
import { Expectations } from '../../lib/expectations.js';
import { EventRecorder, type EventType } from '../../lib/event-recorder.js';
import type { ReconcileResult, WorkQueue } from '../../lib/workqueue.js';
import { controllerOf, keyOf, splitKey, type Controller, type ControllerContext } from './framework.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

export interface JobControllerOptions {
  /** Delay before replacing a failed pod: this (default 10 s), doubled per consecutive
   * failure... */
  backoffBaseMs?: number;
  /** ...up to this (default 6 min). */
  backoffMaxMs?: number;
  /** Concurrent reconciles (default 4). */
  workers?: number;
}

/** Pods created by one pass at most (Kubernetes' burst). */
const MAX_CREATES_PER_PASS = 500;

/** Uids status.uncountedTerminatedPods holds at most (Kubernetes' MaxUncountedPods): keeps
 * the status small and one pass short; the rest are counted by the next pass. */
export const MAX_UNCOUNTED_PODS = 500;

// ---- small shared helpers (also used by the CronJob controller; times and conditions are in
// lib/conditions.ts, expectations in lib/expectations.ts) ----

/** Records a v1 Event about an object (reason CamelCase, message for humans). */
export type ControllerEvents = (obj: KubeObject, type: EventType, reason: string, message: string) => Promise<void>;

/**
 * The Job and CronJob controllers' events, through the shared EventRecorder: repeats of one
 * event (same object, type, reason and message) aggregate into one Event whose count grows.
 * Best effort: resolves once written or failed; a failure is logged, never thrown, so an event
 * cannot fail a reconcile.
 */
export function controllerEvents(ctx: Pick<ControllerContext, 'client' | 'now' | 'logger'>, component: string): ControllerEvents {
  const recorder = new EventRecorder(ctx.client, { component, now: () => ctx.now() });
  return async (obj, type, reason, message) => {
    const err = await recorder.record(obj, type, reason, message);
    if (err) ctx.logger.warn(`${component}: could not record event ${reason} for ${keyOf(obj)}: ${err.message}`);
  };
}

/** Sets a Job condition (lastProbeTime and lastTransitionTime stamped `now`; an unchanged
 * status keeps its lastTransitionTime); returns it as set. */
function setJobCondition(status: JobStatus__Output, type: string, value: 'True' | 'False', reason: string, message: string, now: number): Condition__Output {
  status.conditions = setCondition(status.conditions ?? [], newCondition(type, value, reason, message, now, 'lastProbeTime'));
  return getCondition(status.conditions, type)!;
}

/** The Job's terminal condition (Complete or Failed, status True), if any. */
export function finishedCondition(job: KubeObject): Condition__Output | undefined {
  const conds = (job.status as JobStatus__Output | undefined)?.conditions ?? [];
  return conds.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---- pods ----

function podStatus(pod: KubeObject): PodStatus__Output {
  return (pod.status as PodStatus__Output | undefined) ?? {};
}

function isTerminating(pod: KubeObject): boolean {
  return !!pod.metadata?.deletionTimestamp;
}

function isFinished(pod: KubeObject): boolean {
  const phase = podStatus(pod).phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Running or about to: neither finished nor being deleted. */
function isActive(pod: KubeObject): boolean {
  return !isFinished(pod) && !isTerminating(pod);
}

function isReady(pod: KubeObject): boolean {
  return podStatus(pod).conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function uidOf(obj: KubeObject): string {
  return obj.metadata?.uid ?? '';
}

/** status.uncountedTerminatedPods as it decodes: always present, empty lists left out. */
function uncountedOf(succeeded: Iterable<string>, failed: Iterable<string>): UncountedTerminatedPods__Output {
  const u: UncountedTerminatedPods__Output = {};
  const s = [...succeeded];
  const f = [...failed];
  if (s.length) u.succeeded = s;
  if (f.length) u.failed = f;
  return u;
}

function hasTrackingFinalizer(pod: KubeObject): boolean {
  return pod.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

/** When a pod finished: its containers' latest finishedAt, else undefined. */
function podFinishTime(pod: KubeObject): number | undefined {
  let latest: number | undefined;
  for (const cs of podStatus(pod).containerStatuses ?? []) {
    const t = parseTime(cs.state?.terminated?.finishedAt);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest;
}

/** The Job (namespace/name key) a pod belongs to, if a Job controls it. */
function jobKeyOfPod(pod: KubeObject): string | undefined {
  const owner = controllerOf(pod);
  if (owner?.kind !== 'Job') return undefined;
  return `${pod.metadata?.namespace ?? ''}/${owner.name}`;
}

/** Pods to delete first when scaling down: not yet running, then not ready, newest first. */
function deletionOrder(a: KubeObject, b: KubeObject): number {
  const rank = (p: KubeObject): number => (podStatus(p).phase !== 'Running' ? 0 : !isReady(p) ? 1 : 2);
  const r = rank(a) - rank(b);
  if (r !== 0) return r;
  return (parseTime(b.metadata?.creationTimestamp) ?? 0) - (parseTime(a.metadata?.creationTimestamp) ?? 0);
}

// ---- the controller ----

/** A Job controller with its own timings (tests shorten the failure back-off). */
export function makeJobController(opts: JobControllerOptions = {}): Controller {
  const backoffBaseMs = opts.backoffBaseMs ?? 10_000;
  const backoffMaxMs = opts.backoffMaxMs ?? 6 * 60_000;
  return {
    name: 'job',
    workers: opts.workers ?? 4,
    setup(ctx: ControllerContext, queue: WorkQueue<string>) {
      const jobs = ctx.informer('Job');
      const pods = ctx.informer('Pod');
      const expectations = new Expectations(() => ctx.now());
      /** Pods whose tracking finalizer this controller removed, until the cache shows it
       * (Kubernetes' finalizerExpectations): a pass must not count them again meanwhile. */
      const finalizerRemovals = new Set<string>();
      /** Per Job key, the resourceVersion of this controller's last status write. A cached Job
       * at or before it holds nothing this controller's pod cache and finalizerRemovals do not
       * account for (and a stale one fails its status write with a conflict). */
      const ownWrites = new Map<string, number>();
      /** When a failed pod without a finishedAt was first seen failed. */
      const failSeen = new Map<string, number>();
      /** Pods this controller deleted: their end is not a failure. */
      const deletedByUs = new Set<string>();

      jobs.addEventHandler({
        onAdd: (j) => queue.add(keyOf(j)),
        onUpdate: (_o, j) => queue.add(keyOf(j)),
        onDelete: (j) => queue.add(keyOf(j)),
      });
      const forgetPod = (p: KubeObject): void => {
        const uid = uidOf(p);
        finalizerRemovals.delete(uid);
        failSeen.delete(uid);
        deletedByUs.delete(uid);
      };
      pods.addEventHandler({
        onAdd: (p) => {
          const key = jobKeyOfPod(p);
          if (!key) return;
          expectations.creationObserved(key);
          queue.add(key);
        },
        onUpdate: (old, p) => {
          const oldKey = jobKeyOfPod(old);
          const key = jobKeyOfPod(p);
          if (key && isTerminating(p) && !isTerminating(old)) expectations.deletionObserved(key, p.metadata?.uid ?? '');
          if (!hasTrackingFinalizer(p)) finalizerRemovals.delete(uidOf(p));
          if (oldKey && oldKey !== key) queue.add(oldKey);
          if (key) queue.add(key);
        },
        onDelete: (p) => {
          forgetPod(p);
          const key = jobKeyOfPod(p);
          if (!key) return;
          expectations.deletionObserved(key, p.metadata?.uid ?? '');
          queue.add(key);
        },
      });

      const event = controllerEvents(ctx, 'job-controller');

      /** Removes the tracking finalizer (re-reading the pod on a conflict). Resolves once the
       * pod holds it no more, or is gone; throws what else went wrong. */
      async function releasePod(client: ShoalClient, pod: KubeObject): Promise<void> {
        const m = pod.metadata ?? {};
        let current: KubeObject | undefined = pod;
        try {
          await retryOnConflict(async () => {
            current ??= await client.get('Pod', m.namespace ?? '', m.name ?? '');
            const fresh = structuredClone(current);
            current = undefined;
            const fin = fresh.metadata?.finalizers ?? [];
            if (!fin.includes(JOB_TRACKING_FINALIZER)) return;
            fresh.metadata!.finalizers = fin.filter((f) => f !== JOB_TRACKING_FINALIZER);
            await client.update(fresh);
          });
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      }

      /** Removes the finalizer from pods the key's Job (any incarnation but `keepUid`) left. */
      async function releaseOrphans(namespace: string, name: string, keepUid: string | undefined): Promise<void> {
        for (const p of pods.list({ namespace })) {
          const owner = controllerOf(p);
          if (owner?.kind === 'Job' && owner.name === name && owner.uid !== keepUid && hasTrackingFinalizer(p)) {
            await releasePod(ctx.client, p);
          }
        }
      }

      async function deletePod(pod: KubeObject): Promise<boolean> {
        try {
          await ctx.client.delete('Pod', pod.metadata?.namespace ?? '', pod.metadata?.name ?? '');
          return true;
        } catch (err) {
          if (err instanceof NotFoundError) return false;
          throw err;
        }
      }

      function newPod(job: KubeObject, spec: JobSpec__Output): KubeObject {
        const m = job.metadata ?? {};
        const tmpl = spec.template ?? {};
        const uid = m.uid ?? '';
        const name = m.name ?? '';
        return {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            generateName: `${name}-`,
            namespace: m.namespace,
            labels: {
              ...(tmpl.metadata?.labels ?? {}),
              'controller-uid': uid,
              'job-name': name,
              'batch.kubernetes.io/controller-uid': uid,
              'batch.kubernetes.io/job-name': name,
            },
            annotations: { ...(tmpl.metadata?.annotations ?? {}) },
            ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true }],
            finalizers: [JOB_TRACKING_FINALIZER],
          },
          spec: structuredClone(tmpl.spec ?? {}),
        };
      }

      return async function reconcile(key: string): Promise<ReconcileResult | void> {
        const { namespace, name } = splitKey(key);
        const cached = jobs.get(namespace, name);
        if (!cached) {
          expectations.delete(key);
          ownWrites.delete(key);
          await releaseOrphans(namespace, name, undefined);
          return;
        }
        const job = structuredClone(cached);
        const uid = uidOf(job);
        await releaseOrphans(namespace, name, uid);
        let owned = pods.list({ namespace }).filter((p) => controllerOf(p)?.uid === uid);
        if (job.metadata?.deletionTimestamp) {
          // Going away: let its pods go too (the garbage collector deletes them).
          for (const p of owned) if (hasTrackingFinalizer(p)) await releasePod(ctx.client, p);
          return;
        }

        const now = ctx.now();
        const spec = (job.spec ?? {}) as JobSpec__Output;
        const oldStatus = (cached.status ?? {}) as JobStatus__Output;
        const status = structuredClone(oldStatus);
        status.conditions ??= [];
        status.succeeded ??= 0;
        status.failed ??= 0;
        const parallelism = spec.parallelism ?? 1;
        const completions = spec.completions;
        const backoffLimit = spec.backoffLimit ?? 6;
        let requeueAfter = Infinity;
        const wake = (ms: number): void => {
          requeueAfter = Math.min(requeueAfter, Math.max(1, ms));
        };

        // 1. Count pods that finished (or went away unfinished) since the last pass. Once the
        // Job is over, the pods it deletes are not failures.
        const wasFinished = finishedCondition(cached) !== undefined;
        // Pods we deleted ourselves end as no failure (only a success still counts).
        const ours = (p: KubeObject): boolean => deletedByUs.has(uidOf(p)) && podStatus(p).phase !== 'Succeeded';
        const countable = (p: KubeObject): boolean => !ours(p) && (isFinished(p) || (isTerminating(p) && !wasFinished && spec.suspend !== true));
        const uncountedSucceeded = new Set(oldStatus.uncountedTerminatedPods?.succeeded ?? []);
        const uncountedFailed = new Set(oldStatus.uncountedTerminatedPods?.failed ?? []);
        const isUncounted = (u: string): boolean => uncountedSucceeded.has(u) || uncountedFailed.has(u);
        /** Still holds the finalizer, as far as this controller knows. */
        const held = (p: KubeObject): boolean => hasTrackingFinalizer(p) && !finalizerRemovals.has(uidOf(p));
        const countsChange = (list: KubeObject[]): boolean => {
          const present = new Set(list.map(uidOf));
          return list.some((p) => held(p) && countable(p) && !isUncounted(uidOf(p))) || [...uncountedSucceeded, ...uncountedFailed].some((u) => !present.has(u));
        };
        // Counting from a pod cache older than the Job's status could count a pod twice (its
        // finalizer removal not seen yet) or count one that exists as gone. Only a status some
        // other writer made can be newer than what the cache has seen: then ask the API server.
        const jobRevision = Number(job.metadata?.resourceVersion ?? 0);
        if (jobRevision > (ownWrites.get(key) ?? 0) && pods.lastRevision < jobRevision && countsChange(owned)) {
          owned = (await ctx.client.list('Pod', { namespace })).items.filter((p) => controllerOf(p)?.uid === uid);
        }
        const heldUids = new Set(owned.filter(held).map(uidOf));
        /** Uncounted pods that hold the finalizer no more (or are gone): into the counters. */
        const moveCounted = (): void => {
          for (const [uids, field] of [[uncountedSucceeded, 'succeeded'], [uncountedFailed, 'failed']] as const) {
            for (const u of [...uids]) {
              if (heldUids.has(u)) continue;
              uids.delete(u);
              status[field] = (status[field] ?? 0) + 1;
            }
          }
        };
        moveCounted();
        let capped = false;
        for (const p of owned) {
          if (!held(p) || !countable(p) || isUncounted(uidOf(p))) continue;
          if (uncountedSucceeded.size + uncountedFailed.size >= MAX_UNCOUNTED_PODS) {
            capped = true;
            break;
          }
          (podStatus(p).phase === 'Succeeded' ? uncountedSucceeded : uncountedFailed).add(uidOf(p));
        }
        // Released once recorded: uncounted pods, and finalized pods that end uncounted.
        const toRelease = owned.filter((p) => held(p) && (isUncounted(uidOf(p)) || (!countable(p) && (isFinished(p) || isTerminating(p)))));
        const succeeded = (status.succeeded ?? 0) + uncountedSucceeded.size;
        const failed = (status.failed ?? 0) + uncountedFailed.size;
        let active = owned.filter(isActive);

        // 2. Back-off: consecutive failures since the last success, from the pods still here.
        let lastSuccess = -Infinity;
        let lastFailure = -Infinity;
        const failTimes: number[] = [];
        for (const p of owned) {
          const phase = podStatus(p).phase;
          if (ours(p)) continue;
          if (phase === 'Succeeded') lastSuccess = Math.max(lastSuccess, podFinishTime(p) ?? 0);
          if (phase === 'Failed') {
            const puid = p.metadata?.uid ?? '';
            let t = podFinishTime(p) ?? failSeen.get(puid);
            if (t === undefined) failSeen.set(puid, (t = now));
            failTimes.push(t);
          }
        }
        const consecutive = failTimes.filter((t) => t > lastSuccess);
        for (const t of consecutive) lastFailure = Math.max(lastFailure, t);
        const backoffUntil = consecutive.length ? lastFailure + Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(consecutive.length - 1, 30)) : -Infinity;

        let finished = finishedCondition(job);
        /** The end reached, written once no pod is left uncounted. */
        let ending: { type: 'Complete' | 'Failed'; reason: string; message: string } | undefined;
        const events: [type: 'Normal' | 'Warning', reason: string, message: string][] = [];
        let created = 0;
        const deleted: KubeObject[] = [];

        if (finished) {
          deleted.push(...active); // left over from a pass whose deletes failed
        } else {
          // 3. Suspension and start time.
          const suspended = spec.suspend === true;
          const wasSuspended = status.conditions.some((c) => c.type === 'Suspended' && c.status === 'True');
          if (suspended) {
            if (!wasSuspended) {
              setJobCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
              events.push(['Normal', 'Suspended', 'Job suspended']);
            }
          } else {
            if (wasSuspended) {
              setJobCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
              events.push(['Normal', 'Resumed', 'Job resumed']);
              status.startTime = timestamp(now); // the deadline counts from the resume
            }
            status.startTime ??= timestamp(now);
          }

          // 4. Is it over? (Counting the pods not yet in the counters.)
          let failure: [reason: string, message: string] | undefined;
          const start = parseTime(status.startTime);
          if (failed > backoffLimit) {
            failure = ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'];
          } else if (!suspended && spec.activeDeadlineSeconds !== undefined && start !== undefined) {
            const deadline = start + spec.activeDeadlineSeconds * 1000;
            if (now >= deadline) failure = ['DeadlineExceeded', 'Job was active longer than specified deadline'];
            else wake(deadline - now);
          }
          const complete = !failure && (completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0);

          if (failure) {
            ending = { type: 'Failed', reason: failure[0], message: failure[1] };
            deleted.push(...active);
          } else if (complete) {
            ending = { type: 'Complete', reason: 'Completed', message: 'Job completed' };
            deleted.push(...active);
          } else if (suspended) {
            deleted.push(...active);
          } else if (expectations.satisfied(key)) {
            // 5. Run the right number of pods.
            const want = completions !== undefined ? Math.max(0, Math.min(parallelism, completions - succeeded)) : succeeded > 0 ? 0 : parallelism;
            if (want < active.length) {
              deleted.push(...[...active].sort(deletionOrder).slice(0, active.length - want));
            } else if (want > active.length) {
              if (now < backoffUntil) wake(backoffUntil - now);
              else created = Math.min(want - active.length, MAX_CREATES_PER_PASS);
            }
          }
        }

        // 6. Act: deletes, then creates (both expected before they are made).
        if (deleted.length || created) {
          expectations.expect(key, created, deleted.map(uidOf));
        }
        for (const p of deleted) {
          // Remembered before the delete: its event can arrive before the call returns.
          deletedByUs.add(uidOf(p));
          if (await deletePod(p)) events.push(['Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name ?? ''}`]);
          else expectations.deletionObserved(key, uidOf(p));
        }
        const gone = new Set(deleted.map(uidOf));
        active = active.filter((p) => !gone.has(uidOf(p)));
        let made = 0;
        let createError: Error | undefined;
        for (let i = 0; i < created; i++) {
          try {
            const pod = await ctx.client.create(newPod(job, spec));
            made++;
            events.push(['Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name ?? ''}`]);
          } catch (err) {
            // The rest would fail the same way; they will not be observed.
            for (let j = i; j < created; j++) expectations.creationObserved(key);
            if (!(err instanceof AlreadyExistsError)) createError = err instanceof Error ? err : new Error(String(err));
            events.push(['Warning', 'FailedCreate', `Error creating: ${errMessage(err)}`]);
            break;
          }
        }

        // 7. Status, then finalizers, then status again (see the header): each write carries
        // the resourceVersion of the Job it was computed from, or of the write before it.
        status.active = active.length + made;
        status.ready = active.filter(isReady).length;
        const finish = (): void => {
          if (!ending || finished || capped || uncountedSucceeded.size || uncountedFailed.size) return;
          finished = setJobCondition(status, ending.type, 'True', ending.reason, ending.message, now);
          if (ending.type === 'Complete') status.completionTime = timestamp(now);
          events.push(ending.type === 'Complete' ? ['Normal', 'Completed', 'Job completed'] : ['Warning', ending.reason, ending.message]);
        };
        let current = job;
        let written: JobStatus__Output = { ...oldStatus, conditions: oldStatus.conditions ?? [], uncountedTerminatedPods: oldStatus.uncountedTerminatedPods ?? {} };
        const writeStatus = async (): Promise<void> => {
          status.uncountedTerminatedPods = uncountedOf(uncountedSucceeded, uncountedFailed);
          if (!deepEqual(status, written)) {
            current = await ctx.client.updateStatus({ ...current, status: structuredClone(status) });
            written = structuredClone(status);
            ownWrites.set(key, Number(current.metadata?.resourceVersion ?? 0));
          }
          for (const [type, reason, message] of events.splice(0)) await event(current, type, reason, message);
        };
        finish();
        await writeStatus();
        let releaseError: Error | undefined;
        for (const p of toRelease) {
          finalizerRemovals.add(uidOf(p));
          try {
            await releasePod(ctx.client, p);
            heldUids.delete(uidOf(p));
          } catch (err) {
            finalizerRemovals.delete(uidOf(p));
            releaseError ??= err instanceof Error ? err : new Error(String(err));
          }
        }
        moveCounted();
        finish();
        await writeStatus();
        if (createError) throw createError;
        if (releaseError) throw releaseError;

        // 8. Time to live after finishing.
        if (finished && spec.ttlSecondsAfterFinished !== undefined) {
          const at = parseTime(status.completionTime) ?? parseTime(finished.lastTransitionTime) ?? now;
          const expires = at + spec.ttlSecondsAfterFinished * 1000;
          if (now >= expires) {
            try {
              await ctx.client.delete('Job', namespace, name, { propagationPolicy: 'Background' });
            } catch (err) {
              if (!(err instanceof NotFoundError)) throw err;
            }
            return;
          }
          wake(expires - now);
        }
        return Number.isFinite(requeueAfter) ? { requeueAfter } : undefined;
      };
    },
  };
}

/** The Job controller with Kubernetes' timings. */
export const jobController: Controller = makeJobController();
