// `shoal create job NAME --from=cronjob/X`: a Job made by hand from a CronJob's jobTemplate,
// as kubectl makes it (annotation cronjob.kubernetes.io/instantiate=manual, owned by the
// CronJob so it goes with it). cli/main.ts parses argv and calls this.
import type { ShoalClient } from '../lib/client.js';
import { CRONJOB_INSTANTIATE_ANNOTATION, jobFromCronJob } from '../services/controllers/cronjob.js';
import { formatError, type IO } from './commands.js';

/** The part of ShoalClient this verb uses; tests may pass a fake. */
export type CreateJobClient = Pick<ShoalClient, 'get' | 'create'>;

export interface CreateJobFromCronJobArgs {
  /** The new Job's name. */
  name: string;
  /** The CronJob's name ("X" of --from=cronjob/X). */
  cronJob: string;
  /** "" or absent: "default". */
  namespace?: string;
}

/** Prints `job.batch/NAME created` and returns 0, or prints the error as kubectl does and
 * returns 1 (CronJob not found, Job already exists, invalid). */
export async function createJobFromCronJob(client: CreateJobClient, args: CreateJobFromCronJobArgs, io: IO): Promise<number> {
  const namespace = args.namespace || 'default';
  try {
    const cronJob = await client.get('CronJob', namespace, args.cronJob);
    const job = jobFromCronJob(cronJob, args.name, { [CRONJOB_INSTANTIATE_ANNOTATION]: 'manual' });
    const created = await client.create(job);
    io.out(`job.batch/${created.metadata?.name ?? args.name} created`);
    return 0;
  } catch (err) {
    io.err(formatError(err));
    return 1;
  }
}
