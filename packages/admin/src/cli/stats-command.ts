import { fileStoreDirectory } from '../store-selection';
import { jobStats } from '../job-stats';
import type { CommandContext } from './context';
import { printJson, withStore } from './context';
import { colorStatus, formatBytes, formatDuration } from './format';
import { renderTable } from './table';

/** `sa-jobs stats`: counts by status and tool, the oldest running job, the store's size. */
export async function statsCommand(
  context: CommandContext,
  options: { json?: boolean },
): Promise<number> {
  return withStore(context, async (store) => {
    const isFile = (context.selection.store ?? 'file') === 'file';
    const stats = await jobStats(store, {
      fileStoreDirectory: isFile ? fileStoreDirectory(context.selection) : undefined,
    });
    if (options.json === true) {
      printJson(context, stats);
      return 0;
    }
    const { stdout, colors, columns } = context.terminal;
    const now = await store.now();
    stdout.write(
      `${renderTable(
        [
          { header: 'STATUS', minWidth: 11 },
          { header: 'JOBS', minWidth: 4 },
        ],
        Object.entries(stats.byStatus).map(([status, count]) => [
          colorStatus(status as keyof typeof stats.byStatus, colors),
          String(count),
        ]),
        columns,
        colors.bold,
      )}\n\n`,
    );
    const tools = Object.entries(stats.byTool);
    if (tools.length > 0)
      stdout.write(
        `${renderTable(
          [
            { header: 'TOOL', minWidth: 8 },
            { header: 'JOBS', minWidth: 4 },
          ],
          tools.map(([tool, count]) => [tool, String(count)]),
          columns,
          colors.bold,
        )}\n\n`,
      );
    const oldest = stats.oldestRunning;
    stdout.write(
      `${colors.bold('oldest running')}  ${oldest ? `${oldest.id} (${oldest.tool}, running for ${formatDuration(now - (oldest.startedAt ?? oldest.createdAt))})` : '-'}\n`,
    );
    stdout.write(
      `${colors.bold('store size')}      ${stats.total} job${stats.total === 1 ? '' : 's'}${stats.diskBytes === undefined ? '' : `, ${formatBytes(stats.diskBytes)} on disk`}\n`,
    );
    return 0;
  });
}
