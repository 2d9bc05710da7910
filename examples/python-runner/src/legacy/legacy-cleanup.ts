import type { JobManager, JobStatus } from '@sa/jobs';

/** The tools whose jobs are legacy jobs: the only ones `py_cleanup_jobs` removes by default. */
export const legacyJobTools: readonly string[] = [
  'py_run_script_in_dir_async',
  'py_run_script_with_dependencies_async',
];

const finishedStatuses: readonly JobStatus[] = ['completed', 'failed', 'cancelled', 'interrupted'];

/** What `removeFinishedLegacyJobs` did. */
export interface LegacyCleanupOutcome {
  removed: number;
  /** Finished jobs of other tools (`_v2`) left in place. */
  keptOtherJobs: number;
}

/**
 * Removes finished jobs of the scope for `py_cleanup_jobs`: every finished legacy job (of
 * `legacyJobTools`), whenever it finished, and finished jobs of other tools (`_v2`) only when
 * `includeOtherTools` is set (the original's behaviour: every finished job). The store filters
 * by tool in the same atomic prune as by status and scope, so no `_v2` job is ever removed
 * without `includeOtherTools`. `keptOtherJobs` counts the finished jobs of other tools left
 * in place, read after the prune.
 *
 * @example
 * const { removed } = await removeFinishedLegacyJobs(jobs, { scope: null, includeOtherTools: false });
 */
export async function removeFinishedLegacyJobs(
  jobs: JobManager,
  options: { scope: string | null; includeOtherTools: boolean },
): Promise<LegacyCleanupOutcome> {
  const { scope } = options;
  if (options.includeOtherTools)
    return { removed: await jobs.prune({ statuses: finishedStatuses, scope }), keptOtherJobs: 0 };
  const removed = await jobs.prune({ statuses: finishedStatuses, scope, tools: legacyJobTools });
  let keptOtherJobs = 0;
  let cursor: string | undefined;
  do {
    const page = await jobs.list({ scope, status: finishedStatuses, limit: 1000, cursor });
    keptOtherJobs += page.jobs.filter((record) => !legacyJobTools.includes(record.tool)).length;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { removed, keptOtherJobs };
}
