import { InvalidArgumentError } from '@sa/core';
import type { PruneSelection } from '../prune-jobs';
import { pruneJobs } from '../prune-jobs';
import type { CommandContext } from './context';
import { printJson, withStore } from './context';
import { colorStatus, formatDuration } from './format';

/** Options of `sa-jobs prune`. */
export interface PruneCommandOptions extends PruneSelection {
  dryRun?: boolean;
  /** Needed when no filter is given: prune every finished job. */
  all?: boolean;
  json?: boolean;
}

/** `sa-jobs prune`: deletes finished jobs (or, `--dry-run`, lists what would go). */
export async function pruneCommand(
  context: CommandContext,
  options: PruneCommandOptions,
): Promise<number> {
  const filtered =
    options.statuses !== undefined ||
    options.olderThanMs !== undefined ||
    options.expired === true ||
    options.scope !== undefined;
  if (!filtered && options.all !== true)
    throw new InvalidArgumentError(
      'prune needs a filter (--older-than, --status, --expired, --scope) or --all to delete every finished job',
    );
  return withStore(context, async (store) => {
    const result = await pruneJobs(store, options, { dryRun: options.dryRun });
    if (options.json === true) {
      printJson(context, result);
      return 0;
    }
    const { stdout, colors } = context.terminal;
    if (!result.dryRun) {
      stdout.write(`${result.deleted} job${result.deleted === 1 ? '' : 's'} deleted\n`);
      return 0;
    }
    const now = await store.now();
    for (const job of result.jobs ?? [])
      stdout.write(
        `${job.id}  ${colorStatus(job.status, colors)}  ${job.tool}  finished ${formatDuration(now - (job.finishedAt ?? job.createdAt))} ago\n`,
      );
    const count = result.jobs?.length ?? 0;
    stdout.write(
      colors.dim(
        `dry run: ${count} job${count === 1 ? '' : 's'} would be deleted; nothing was deleted\n`,
      ),
    );
    return 0;
  });
}
