import { isSaError } from '@sa/core';
import { createJobManager, isTerminalStatus } from '@sa/jobs';
import type { JobRecord } from '@sa/jobs';
import { exitCodeOf } from '../admin-error';
import { exitCodes } from '../exit-codes';
import type { CommandContext } from './context';
import { withStore } from './context';
import { colorStatus } from './format';

/** Options of `sa-jobs cancel`. */
export interface CancelCommandOptions {
  reason?: string;
  /** Wait until each job has really stopped (its owner saw the request), up to this many ms. */
  waitMs?: number;
  json?: boolean;
}

/**
 * `sa-jobs cancel <id...>`: asks the job manager to cancel each job. The store carries the
 * request to the owner on any host (a pending job is cancelled at once). Exits with the
 * highest code that applies: not found, refused (already finished), store unreachable.
 */
export async function cancelCommand(
  context: CommandContext,
  ids: readonly string[],
  options: CancelCommandOptions,
): Promise<number> {
  return withStore(context, async (store) => {
    // A short-lived manager is the public door for a cancel; it runs no work of its own.
    const manager = createJobManager({
      store,
      reapIntervalMs: 2 ** 31 - 1,
      retention: { pruneIntervalMs: 2 ** 31 - 1 },
    });
    let exitCode: number = exitCodes.ok;
    const results: { id: string; status?: string; cancelRequested?: boolean; error?: string }[] =
      [];
    const { stdout, stderr, colors, errorColors } = context.terminal;
    try {
      for (const id of ids) {
        try {
          let record: JobRecord = await manager.cancel(id, {
            reason: options.reason ?? 'cancelled with sa-jobs',
          });
          if (options.waitMs !== undefined && !isTerminalStatus(record.status))
            record = await manager.wait(id, { timeoutMs: options.waitMs });
          const requested = record.cancelRequestedAt !== null;
          results.push({ id, status: record.status, cancelRequested: requested });
          if (options.json !== true)
            stdout.write(
              `${id}  ${isTerminalStatus(record.status) ? colorStatus(record.status, colors) : `cancel requested (still ${record.status}; its owner stops it)`}\n`,
            );
        } catch (error) {
          if (
            !isSaError(error) ||
            !['NOT_FOUND', 'CONFLICT', 'INVALID_ARGUMENT'].includes(error.code)
          )
            throw error;
          exitCode = Math.max(exitCode, exitCodeOf(error));
          const message = error.message;
          results.push({ id, error: message });
          if (options.json !== true)
            stderr.write(`${errorColors.red('error')} ${id}: ${message}\n`);
        }
      }
    } finally {
      await manager.close({ graceMs: 0 });
    }
    if (options.json === true) stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
    return exitCode;
  });
}
