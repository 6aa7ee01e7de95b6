// The CronJob controller (Kubernetes' pkg/controller/cronjob, the v2 controller): creates a
// Job from spec.jobTemplate at each schedule time, and is woken with requeueAfter at the next
// one; there is no polling loop. Time comes from ControllerContext.now, so tests can move it.
//
// - Missed times (the controller was down): only the most recent is run, never a flood; with
//   more than 100 missed, a TooManyMissedTimes warning is recorded, as Kubernetes does.
// - startingDeadlineSeconds: a time missed by more than this is skipped (MissedSchedule).
// - concurrencyPolicy: Allow runs alongside, Forbid waits for the active Job to finish (the
//   due time then runs late, if still within the starting deadline), Replace deletes it.
// - Jobs are named <cronjob>-<scheduled time in minutes since the epoch>, so a retry after a
//   partial failure finds its Job already there (AlreadyExists) instead of making a second.
import { parseTime, timestamp } from '../../lib/conditions.js';
import { AlreadyExistsError, NotFoundError } from '../../lib/errors.js';
import type { CronJobSpec__Output } from '../../lib/gen/shoal/v1/CronJobSpec.js';
import type { CronJobStatus__Output } from '../../lib/gen/shoal/v1/CronJobStatus.js';
import type { ObjectReference__Output } from '../../lib/gen/shoal/v1/ObjectReference.js';
import type { KubeObject } from '../../lib/kinds.js';
import { deepEqual } from '../../lib/objects.js';
import type { ReconcileResult, WorkQueue } from '../../lib/workqueue.js';
import { parseSchedule, ScheduleError, type Schedule } from './cron.js';
import { controllerOf, keyOf, splitKey, type Controller, type ControllerContext } from './framework.js';
import { controllerEvents, finishedCondition } from './job.js';

export const CRONJOB_SCHEDULED_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Marks a Job made by hand from a CronJob (`shoal create job --from=cronjob/X`). */
export const CRONJOB_INSTANTIATE_ANNOTATION = 'cronjob.kubernetes.io/instantiate';

/** Above this many missed times a warning is recorded (Kubernetes' number). */
const TOO_MANY_MISSED = 100;
/** Wake a little after the schedule time, so the clock is surely past it. */
const WAKE_SLACK_MS = 100;

export interface CronJobControllerOptions {
  /** Concurrent reconciles (default 2). */
  workers?: number;
}

/**
 * A Job from the CronJob's jobTemplate: the template's labels and annotations plus
 * `annotations`, a controller ownerReference to the CronJob. Shared by the controller and
 * `shoal create job --from=cronjob/X`.
 */
export function jobFromCronJob(cronJob: KubeObject, name: string, annotations: Record<string, string>): KubeObject {
  const m = cronJob.metadata ?? {};
  const tmpl = (cronJob.spec as CronJobSpec__Output | undefined)?.jobTemplate ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: m.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) },
      annotations: { ...(tmpl.metadata?.annotations ?? {}), ...annotations },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: m.name ?? '', uid: m.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: structuredClone(tmpl.spec ?? {}),
  };
}

/** The Job name for a scheduled time: <cronjob>-<minutes since the epoch>. */
export function scheduledJobName(cronJobName: string, scheduledMs: number): string {
  return `${cronJobName}-${Math.floor(scheduledMs / 60_000)}`;
}

function refOf(job: KubeObject): ObjectReference__Output {
  const m = job.metadata ?? {};
  return { apiVersion: 'batch/v1', kind: 'Job', namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
}

/**
 * The most recent schedule time in (earliest, now], and how many there were (an estimate
 * past the second, from the spacing of the first two, as Kubernetes computes it).
 */
function mostRecentMissed(schedule: Schedule, earliest: number, now: number): { time?: number; missed: number } {
  const t1 = schedule.next(earliest);
  if (t1 > now) return { missed: 0 };
  const t2 = schedule.next(t1);
  if (t2 > now) return { time: t1, missed: 1 };
  const latest = schedule.latestAtOrBefore(now) ?? t2;
  const interval = Math.max(1, t2 - t1);
  return { time: latest, missed: Math.floor((latest - t1) / interval) + 1 };
}

/** A CronJob controller (the factory exists for symmetry with the Job controller). */
export function makeCronJobController(opts: CronJobControllerOptions = {}): Controller {
  return {
    name: 'cronjob',
    workers: opts.workers ?? 2,
    setup(ctx: ControllerContext, queue: WorkQueue<string>) {
      const cronJobs = ctx.informer('CronJob');
      const jobs = ctx.informer('Job');
      cronJobs.addEventHandler({
        onAdd: (c) => queue.add(keyOf(c)),
        onUpdate: (_o, c) => queue.add(keyOf(c)),
        onDelete: (c) => queue.add(keyOf(c)),
      });
      const enqueueOwner = (j: KubeObject): void => {
        const owner = controllerOf(j);
        if (owner?.kind === 'CronJob') queue.add(`${j.metadata?.namespace ?? ''}/${owner.name}`);
      };
      jobs.addEventHandler({ onAdd: enqueueOwner, onUpdate: (_o, j) => enqueueOwner(j), onDelete: enqueueOwner });

      const event = controllerEvents(ctx, 'cronjob-controller');

      async function deleteJob(namespace: string, name: string): Promise<void> {
        try {
          await ctx.client.delete('Job', namespace, name, { propagationPolicy: 'Background' });
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      }

      return async function reconcile(key: string): Promise<ReconcileResult | void> {
        const { namespace, name } = splitKey(key);
        const cached = cronJobs.get(namespace, name);
        if (!cached) return; // its Jobs go with it (garbage collector)
        const cj = structuredClone(cached);
        const uid = cj.metadata?.uid ?? '';
        const spec = (cj.spec ?? {}) as CronJobSpec__Output;
        const oldStatus = (cached.status ?? {}) as CronJobStatus__Output;
        const status = structuredClone(oldStatus);
        status.active ??= [];
        const now = ctx.now();
        const writeStatus = async (): Promise<void> => {
          if (deepEqual(status, { ...oldStatus, active: oldStatus.active ?? [] })) return;
          cj.status = status;
          await ctx.client.updateStatus(cj);
        };

        // 1. The active list from what exists: finished or vanished Jobs leave it, running
        // Jobs it owns join it.
        const owned = jobs.list({ namespace }).filter((j) => controllerOf(j)?.uid === uid);
        const byUid = new Map(owned.map((j) => [j.metadata?.uid, j]));
        const active: ObjectReference__Output[] = [];
        for (const ref of status.active) {
          const j = byUid.get(ref.uid);
          if (j && !finishedCondition(j)) active.push(ref);
          else if (j) {
            const done = finishedCondition(j)!;
            if (done.type === 'Complete') {
              const at = (j.status as { completionTime?: string } | undefined)?.completionTime ?? done.lastTransitionTime;
              if (at && (parseTime(at) ?? 0) > (parseTime(status.lastSuccessfulTime) ?? -1)) status.lastSuccessfulTime = at;
            }
            await event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name ?? ''}, status: ${done.type}`);
          }
        }
        for (const j of owned) {
          if (!finishedCondition(j) && !j.metadata?.deletionTimestamp && !active.some((r) => r.uid === j.metadata?.uid)) active.push(refOf(j));
        }
        status.active = active;

        // 2. History: the oldest finished Jobs past the limits go.
        const finished = owned.filter((j) => finishedCondition(j) && !j.metadata?.deletionTimestamp);
        const startOf = (j: KubeObject): number =>
          parseTime((j.status as { startTime?: string } | undefined)?.startTime) ?? parseTime(j.metadata?.creationTimestamp) ?? 0;
        for (const [type, limit] of [
          ['Complete', spec.successfulJobsHistoryLimit ?? 3],
          ['Failed', spec.failedJobsHistoryLimit ?? 1],
        ] as const) {
          const these = finished.filter((j) => finishedCondition(j)!.type === type).sort((a, b) => startOf(a) - startOf(b));
          for (const j of these.slice(0, Math.max(0, these.length - limit))) {
            await deleteJob(namespace, j.metadata?.name ?? '');
            await event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata?.name ?? ''}`);
          }
        }

        if (cj.metadata?.deletionTimestamp || spec.suspend) {
          await writeStatus();
          return;
        }

        // 3. The schedule.
        let schedule: Schedule;
        try {
          schedule = parseSchedule(spec.schedule ?? '', spec.timeZone);
        } catch (err) {
          await writeStatus();
          const tz = err instanceof ScheduleError && /time zone/.test(err.message);
          await event(cj, 'Warning', tz ? 'UnknownTimeZone' : 'UnparseableSchedule', `invalid schedule: ${spec.schedule ?? ''}: ${err instanceof Error ? err.message : String(err)}`);
          return; // a spec change re-queues it
        }
        const wakeAt = (): ReconcileResult => ({ requeueAfter: Math.max(1, schedule.next(now) - now + WAKE_SLACK_MS) });

        let earliest = parseTime(status.lastScheduleTime) ?? parseTime(cj.metadata?.creationTimestamp) ?? now;
        if (spec.startingDeadlineSeconds !== undefined) earliest = Math.max(earliest, now - spec.startingDeadlineSeconds * 1000);
        const { time: scheduled, missed } = mostRecentMissed(schedule, earliest, now);
        if (missed > TOO_MANY_MISSED) {
          await event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
        }
        if (scheduled === undefined) {
          await writeStatus();
          return wakeAt();
        }
        if (spec.startingDeadlineSeconds !== undefined && scheduled + spec.startingDeadlineSeconds * 1000 < now) {
          await writeStatus();
          await event(cj, 'Warning', 'MissedSchedule', `Missed scheduled time to start a job: ${timestamp(scheduled)}`);
          return wakeAt();
        }
        const jobName = scheduledJobName(name, scheduled);
        if (status.active.some((r) => r.name === jobName) || parseTime(status.lastScheduleTime) === scheduled) {
          // Already started (by a pass whose status write was lost, perhaps).
          if ((parseTime(status.lastScheduleTime) ?? -Infinity) < scheduled) status.lastScheduleTime = timestamp(scheduled);
          await writeStatus();
          return wakeAt();
        }

        // 4. Concurrency.
        const policy = spec.concurrencyPolicy || 'Allow';
        if (policy === 'Forbid' && status.active.length > 0) {
          await writeStatus();
          await event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
          return wakeAt();
        }
        if (policy === 'Replace') {
          for (const ref of status.active) {
            await deleteJob(namespace, ref.name ?? '');
            await event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${ref.name ?? ''}`);
          }
          status.active = [];
        }

        // 5. The Job.
        let created: KubeObject | undefined;
        try {
          created = await ctx.client.create(jobFromCronJob(cj, jobName, { [CRONJOB_SCHEDULED_ANNOTATION]: timestamp(scheduled) }));
          await event(cj, 'Normal', 'SuccessfulCreate', `Created job ${jobName}`);
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) {
            await writeStatus();
            await event(cj, 'Warning', 'FailedCreate', `Error creating job: ${err instanceof Error ? err.message : String(err)}`);
            throw err;
          }
          // Made by an earlier pass whose status write failed, if it is ours.
          const existing = jobs.get(namespace, jobName);
          if (existing && controllerOf(existing)?.uid !== uid) {
            await writeStatus();
            await event(cj, 'Warning', 'FailedCreate', `Job ${jobName} exists and is not owned by this CronJob`);
            return wakeAt();
          }
          created = existing;
        }
        if (created && !finishedCondition(created) && !status.active.some((r) => r.name === jobName)) status.active.push(refOf(created));
        status.lastScheduleTime = timestamp(scheduled);
        await writeStatus();
        return wakeAt();
      };
    },
  };
}

/** The CronJob controller. */
export const cronJobController: Controller = makeCronJobController();
