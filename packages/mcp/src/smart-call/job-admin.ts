import { ConflictError } from '@sa/core';
import {
  isTerminalStatus,
  jobStatuses,
  type JobManager,
  type JobRecord,
  type JobStatus,
  type JsonValue,
} from '@sa/jobs';
import { z } from 'zod';
import { getVisibleJob } from './job-lookup';
import { toJobView } from './job-view';

/** The input shape of `<prefix>list_jobs`. */
export const listJobsInputShape = {
  status_filter: z.enum(jobStatuses).optional().describe('Only jobs with this status.'),
  limit: z.number().int().min(1).max(1000).default(50).describe('Page size.'),
  cursor: z.string().optional().describe('next_cursor of the previous page.'),
};

/** The input shape of `<prefix>cancel_job`. */
export const cancelJobInputShape = {
  job_id: z.string().min(1).describe('The job to cancel.'),
};

/**
 * Largest `max_age_hours` of `<prefix>prune_jobs`: 87,600 hours (10 years). An age is a look
 * back from the store's clock, not a timer, so `maxTimerDelayMs` (about 24.8 days) would refuse
 * sensible ages such as 30 days; 10 years is past any retention a job store keeps, and keeps
 * `now - age` a finite epoch time (1e308 hours would make it -Infinity).
 */
export const maxPruneAgeHours = 87_600;

/** The input shape of `<prefix>prune_jobs`. */
export const pruneJobsInputShape = {
  keep_completed: z.boolean().default(true),
  keep_failed: z.boolean().default(true),
  max_age_hours: z
    .number()
    .min(0)
    .max(maxPruneAgeHours, {
      error: `max_age_hours must be at most ${maxPruneAgeHours} (10 years)`,
    })
    .default(24),
};

/** The caller's jobs, newest first, without results, with a total and a cursor. */
export async function listJobs(
  jobs: JobManager,
  args: z.output<z.ZodObject<typeof listJobsInputShape>>,
  scope: string | null | undefined,
): Promise<JsonValue> {
  const page = await jobs.list({
    scope,
    limit: args.limit,
    ...(args.status_filter === undefined ? {} : { status: args.status_filter }),
    ...(args.cursor === undefined ? {} : { cursor: args.cursor }),
  });
  return {
    jobs: page.jobs.map((record) => {
      const { result: _result, ...view } = toJobView(record);
      return view;
    }),
    total: page.total,
    next_cursor: page.nextCursor ?? null,
  };
}

/** Cancels a visible job and waits (up to `waitMs`) until it stops; finished jobs are a CONFLICT. */
export async function cancelJob(
  jobs: JobManager,
  id: string,
  scope: string | null | undefined,
  waitMs: number,
): Promise<JobRecord> {
  const current = await getVisibleJob(jobs, id, scope);
  if (isTerminalStatus(current.status)) {
    throw new ConflictError(
      `Job ${id} already finished (${current.status}); it cannot be cancelled`,
      { data: { job_id: id, status: current.status } },
    );
  }
  const record = await jobs.cancel(id, { scope, reason: 'Cancelled by the client' });
  if (isTerminalStatus(record.status) || waitMs <= 0) return record;
  return jobs.wait(id, { timeoutMs: waitMs, until: 'settled', scope });
}

/** What `<prefix>cancel_job` answers for a cancelled (or cancelling) job. */
export function cancelAnswer(record: JobRecord): JsonValue {
  const stopped = record.status === 'cancelled';
  return {
    job_id: record.id,
    status: record.status,
    message: stopped
      ? `Job ${record.id} was cancelled and its work stopped.`
      : `Cancellation of job ${record.id} was requested; its owner has not stopped it yet (status ${record.status}).`,
  };
}

/** Removes the caller's old finished jobs (never pending or running ones); says how many remain. */
export async function pruneJobs(
  jobs: JobManager,
  args: z.output<z.ZodObject<typeof pruneJobsInputShape>>,
  scope: string | null | undefined,
): Promise<JsonValue> {
  const statuses: JobStatus[] = ['cancelled', 'interrupted'];
  if (!args.keep_completed) statuses.push('completed');
  if (!args.keep_failed) statuses.push('failed');
  const olderThan = (await jobs.now()) - args.max_age_hours * 3_600_000;
  const removed = await jobs.prune({
    statuses,
    olderThan,
    ...(scope === undefined ? {} : { scope }),
  });
  const remaining = (await jobs.list({ scope, limit: 1 })).total;
  return { removed, remaining };
}
