import { NotFoundError } from '@sa/core';
import { echo } from '../admin-error';
import { toJobView } from '../job-view';
import { outputSizes } from '../output-sizes';
import type { CommandContext } from './context';
import { printJson, withStore } from './context';
import { colorStatus, formatBytes, formatDuration, formatProgress, formatTime } from './format';

/** `sa-jobs show <id>`: everything about one job. */
export async function showCommand(
  context: CommandContext,
  id: string,
  options: { json?: boolean },
): Promise<number> {
  return withStore(context, async (store) => {
    const record = await store.get(id);
    if (!record) throw new NotFoundError(`no job with id ${echo(id)}`);
    const job = toJobView(record);
    const output = await outputSizes(store, id);
    if (options.json === true) {
      printJson(context, { job, output });
      return 0;
    }
    const now = await store.now();
    const { colors, stdout } = context.terminal;
    const lines: [string, string][] = [
      ['id', job.id],
      ['status', colorStatus(job.status, colors)],
      ['tool', job.tool],
      ['label', job.label],
      ['scope', job.scope ?? '(shared)'],
      [
        'progress',
        job.progress
          ? `${formatProgress(job.progress)}${job.progress.total !== undefined ? ` (${job.progress.progress}/${job.progress.total})` : ''}${job.progress.message ? ` ${job.progress.message}` : ''}`
          : '-',
      ],
      ['created', `${formatTime(job.createdAt)} (${formatDuration(now - job.createdAt)} ago)`],
      ['started', formatTime(job.startedAt)],
      ['updated', formatTime(job.updatedAt)],
      [
        'finished',
        job.finishedAt === null
          ? '-'
          : `${formatTime(job.finishedAt)} (took ${formatDuration(job.finishedAt - (job.startedAt ?? job.createdAt))})`,
      ],
      ['expires', formatTime(job.expiresAt)],
      [
        'owner',
        job.owner ? `${job.owner.instanceId} (pid ${job.owner.pid} on ${job.owner.host})` : '-',
      ],
      [
        'lease',
        job.leaseExpiresAt === null
          ? '-'
          : job.leaseExpiresAt > now
            ? `expires in ${formatDuration(job.leaseExpiresAt - now)}`
            : `expired ${formatDuration(now - job.leaseExpiresAt)} ago`,
      ],
      [
        'cancel',
        job.cancelRequestedAt === null
          ? '-'
          : `requested ${formatTime(job.cancelRequestedAt)}${job.cancelReason ? `: ${job.cancelReason}` : ''}`,
      ],
      ['version', String(job.version)],
      ...(['stdout', 'stderr'] as const).map((stream): [string, string] => [
        stream,
        `${formatBytes(output[stream].writtenBytes)} written, ${formatBytes(output[stream].keptBytes)} kept`,
      ]),
    ];
    const width = Math.max(...lines.map(([name]) => name.length));
    for (const [name, value] of lines)
      stdout.write(`${colors.bold(name.padEnd(width))}  ${value}\n`);
    stdout.write(
      `${colors.bold('input')}\n${indent(JSON.stringify(job.input ?? null, null, 2))}\n`,
    );
    if (job.error)
      stdout.write(
        `${colors.bold(colors.red('error'))}\n${indent(`${job.error.code}: ${job.error.message}`)}\n`,
      );
    if (job.result !== undefined)
      stdout.write(`${colors.bold('result')}\n${indent(JSON.stringify(job.result, null, 2))}\n`);
    return 0;
  });
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
