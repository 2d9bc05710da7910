import type { JobFilter } from '../job-filter';
import { listJobs } from '../list-jobs';
import type { JobView } from '../job-view';
import type { CommandContext } from './context';
import { printJson, withStore } from './context';
import { colorStatus, formatDuration, formatProgress } from './format';
import { renderTable } from './table';

/** Options of `sa-jobs list`. */
export interface ListCommandOptions extends JobFilter {
  limit: number;
  cursor?: string;
  /** Every page, not only the first. */
  all?: boolean;
  json?: boolean;
}

/** `sa-jobs list`: jobs newest first, one page (or `--all`), as a table or JSON. */
export async function listCommand(
  context: CommandContext,
  options: ListCommandOptions,
): Promise<number> {
  return withStore(context, async (store) => {
    const now = await store.now();
    const jobs: JobView[] = [];
    let cursor = options.cursor;
    let total: number | undefined;
    do {
      const page = await listJobs(store, { ...options, cursor, now });
      jobs.push(...page.jobs);
      total = page.total;
      cursor = page.nextCursor;
    } while (options.all === true && cursor !== undefined);
    if (options.json === true) {
      printJson(context, { jobs, total, nextCursor: cursor });
      return 0;
    }
    const { colors, columns, stdout } = context.terminal;
    if (jobs.length === 0) {
      stdout.write('No jobs match.\n');
      return 0;
    }
    const rows = jobs.map((job) => [
      job.id,
      colorStatus(job.status, colors),
      job.tool,
      job.label.slice(0, 200),
      formatProgress(job.progress),
      formatDuration(now - job.createdAt),
      job.scope ?? '-',
    ]);
    const table = renderTable(
      [
        { header: 'ID', minWidth: 22 },
        { header: 'STATUS', minWidth: 11 },
        { header: 'TOOL', minWidth: 8, dropOrder: 2 },
        { header: 'LABEL', minWidth: 10, dropOrder: 4 },
        { header: 'PROGRESS', minWidth: 8, dropOrder: 3 },
        { header: 'AGE', minWidth: 7, dropOrder: 1 },
        { header: 'SCOPE', minWidth: 8, dropOrder: 5 },
      ],
      rows,
      columns,
      colors.bold,
    );
    stdout.write(`${table}\n`);
    const counted = total === undefined ? '' : ` of ${total}`;
    stdout.write(colors.dim(`${jobs.length}${counted} shown`));
    if (cursor !== undefined) stdout.write(colors.dim(`; next page: --cursor ${cursor}`));
    stdout.write('\n');
    return 0;
  });
}
