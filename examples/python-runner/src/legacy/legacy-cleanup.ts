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
 * Removes finished jobs of the scope for `py_cleanup_jobs`: every finished job when
 * `includeOtherTools` is set (the original's behaviour), otherwise never a job of another tool
 * than `legacyJobTools`. The store prunes by time and status only, so without
 * `includeOtherTools` it removes the finished jobs that ended before the oldest finished
 * `_v2` job (and before this call): no `_v2` job can be among them, and a legacy job that ended
 * after that `_v2` job stays until that job is pruned (by `py_prune_jobs` or retention).
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
  // Jobs that finish from now on are newer than the cut-off, whatever tool they belong to.
  let cutoff = await jobs.now();
  let keptOtherJobs = 0;
  let cursor: string | undefined;
  do {
    const page = await jobs.list({ scope, status: finishedStatuses, limit: 1000, cursor });
    for (const record of page.jobs) {
      if (legacyJobTools.includes(record.tool)) continue;
      keptOtherJobs += 1;
      cutoff = Math.min(cutoff, record.finishedAt ?? record.createdAt);
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const removed = await jobs.prune({ statuses: finishedStatuses, scope, olderThan: cutoff });
  return { removed, keptOtherJobs };
}
