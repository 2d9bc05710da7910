import { InvalidArgumentError } from '@sa/core';
import type { JobStatus, JobStore } from '@sa/jobs';
import { isTerminalStatus, terminalJobStatuses } from '@sa/jobs';
import type { JobView } from './job-view';
import { eachJob } from './list-jobs';

/** What to prune: by status, age since finishing, retention expiry and scope. */
export interface PruneSelection {
  /** Default every terminal status; `running` is refused. */
  statuses?: readonly JobStatus[];
  /** Only jobs finished (pending: created) at least this long ago. */
  olderThanMs?: number;
  /** Also jobs whose retention (`expiresAt`) has passed. */
  expired?: boolean;
  scope?: string | null;
}

/** The result of `pruneJobs`: how many went (or, in a dry run, which would go). */
export interface PruneResult {
  dryRun: boolean;
  deleted: number;
  /** Dry run only: the jobs that would be deleted. */
  jobs?: JobView[];
}

/**
 * Deletes finished jobs with the store's `prune` (in the store's batches), or with `dryRun`
 * lists the jobs that call would delete and deletes nothing. The dry run applies the rule the
 * `JobStore.prune` contract states (the store has no dry run of its own): in the statuses and
 * scope, and finished (pending: created) before `now - olderThanMs`, or terminal with
 * `expiresAt` passed when `expired`, or every such job when neither is given.
 */
export async function pruneJobs(
  store: JobStore,
  selection: PruneSelection,
  options: { dryRun?: boolean } = {},
): Promise<PruneResult> {
  const statuses = selection.statuses ?? terminalJobStatuses;
  if (statuses.includes('running'))
    throw new InvalidArgumentError(
      '--status running: running jobs are never pruned (cancel them first)',
    );
  const now = await store.now();
  const olderThan = selection.olderThanMs === undefined ? undefined : now - selection.olderThanMs;
  if (options.dryRun !== true) {
    const deleted = await store.prune({
      statuses,
      olderThan,
      expired: selection.expired,
      scope: selection.scope,
    });
    return { dryRun: false, deleted };
  }
  const jobs: JobView[] = [];
  for await (const job of eachJob(store, { statuses, scope: selection.scope })) {
    const unbounded = olderThan === undefined && selection.expired !== true;
    const old = olderThan !== undefined && (job.finishedAt ?? job.createdAt) < olderThan;
    const expired =
      selection.expired === true &&
      isTerminalStatus(job.status) &&
      job.expiresAt !== null &&
      job.expiresAt <= now;
    if (unbounded || old || expired) jobs.push(job);
  }
  return { dryRun: true, deleted: 0, jobs };
}
