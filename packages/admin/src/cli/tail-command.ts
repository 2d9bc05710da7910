import { MultiBar, Presets } from 'cli-progress';
import type { SingleBar } from 'cli-progress';
import { NotFoundError } from '@sa/core';
import type { JobRecord, JobStore, OutputStream } from '@sa/jobs';
import { isTerminalStatus } from '@sa/jobs';
import { echo } from '../admin-error';
import { exitCodes } from '../exit-codes';
import { toJobView } from '../job-view';
import type { CommandContext } from './context';
import { withStore } from './context';
import { formatDuration } from './format';

/** Options of `sa-jobs tail`. */
export interface TailCommandOptions {
  /** JSON lines on stdout: `{type:'output'|'progress'|'end', ...}`. */
  json?: boolean;
  /** Re-read this often even without a change hint (hints are hints), ms (default 1000). */
  pollMs?: number;
}

const streams: readonly OutputStream[] = ['stdout', 'stderr'];

/**
 * `sa-jobs tail <id>`: the output so far, then follows the job live (change hints from the
 * store's `subscribe`, with a poll as backstop) with a progress bar (cli-progress, on a TTY)
 * until the job ends. Ctrl-C (the context's signal) stops following; the job is never touched.
 */
export async function tailCommand(
  context: CommandContext,
  id: string,
  options: TailCommandOptions,
): Promise<number> {
  return withStore(context, (store) => follow(context, store, id, options));
}

async function follow(
  context: CommandContext,
  store: JobStore,
  id: string,
  options: TailCommandOptions,
): Promise<number> {
  const { terminal } = context;
  const first = await store.get(id);
  if (!first) throw new NotFoundError(`no job with id ${echo(id)}`);
  const json = options.json === true;
  const offsets: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  const pending: Record<OutputStream, string> = { stdout: '', stderr: '' };
  const barWanted = !json && terminal.stderr.isTTY === true && !isTerminalStatus(first.status);
  const bars = barWanted
    ? new MultiBar(
        {
          stream: terminal.stderr,
          format: `{bar} {percentage}% | {value}/{total} | {status} {message}`,
          hideCursor: true,
          clearOnComplete: true,
          stopOnComplete: false,
        },
        Presets.shades_classic,
      )
    : undefined;
  let bar: SingleBar | undefined;
  let lastProgressLine = '';

  /** Writes job output: through the bar's log (whole lines) where it shares the terminal. */
  function write(stream: OutputStream, text: string, final = false): void {
    if (json) {
      if (text !== '')
        terminal.stdout.write(`${JSON.stringify({ type: 'output', stream, data: text })}\n`);
      return;
    }
    const target = stream === 'stdout' ? terminal.stdout : terminal.stderr;
    if (!bars || target.isTTY !== true) {
      target.write(text);
      return;
    }
    const buffered = pending[stream] + text;
    const cut = final ? buffered.length : buffered.lastIndexOf('\n') + 1;
    pending[stream] = buffered.slice(cut);
    if (cut > 0) bars.log(buffered.slice(0, cut));
  }

  async function readNew(final = false): Promise<void> {
    for (const stream of streams) {
      for (;;) {
        const chunk = await store.readOutput(id, stream, {
          offset: offsets[stream],
          maxBytes: 256 * 1024,
        });
        if (chunk.droppedBytes > 0)
          terminal.stderr.write(
            terminal.errorColors.dim(
              `[${chunk.droppedBytes} bytes of ${stream} were dropped by the store's bound]\n`,
            ),
          );
        write(stream, chunk.data);
        offsets[stream] = chunk.nextOffset;
        if (chunk.nextOffset >= chunk.endOffset || chunk.data === '') break;
      }
      if (final) write(stream, '', true);
    }
  }

  function showProgress(record: JobRecord): void {
    const progress = record.progress;
    if (json) {
      const line = JSON.stringify({ type: 'progress', status: record.status, progress });
      if (line !== lastProgressLine) terminal.stdout.write(`${line}\n`);
      lastProgressLine = line;
      return;
    }
    const payload = { status: record.status, message: progress?.message ?? '' };
    const total = progress?.total ?? 0;
    const value = progress?.progress ?? 0;
    if (bars) {
      if (!bar) bar = bars.create(total > 0 ? total : 1, total > 0 ? value : 0, payload);
      else {
        bar.setTotal(total > 0 ? total : 1);
        bar.update(total > 0 ? value : 0, payload);
      }
    }
  }

  let record: JobRecord = first;
  await readNew();
  if (!isTerminalStatus(record.status)) {
    showProgress(record);
    record = await followUntilEnd(
      context,
      store,
      record,
      options.pollMs ?? 1000,
      async (current) => {
        await readNew();
        showProgress(current);
      },
    ).catch((error: unknown) => {
      bars?.stop();
      throw error;
    });
  }
  await readNew(true);
  bars?.stop();
  if (context.signal.aborted && !isTerminalStatus(record.status)) {
    terminal.stderr.write(`stopped following; job ${record.id} keeps ${record.status}\n`);
    return 130;
  }
  if (json) {
    terminal.stdout.write(`${JSON.stringify({ type: 'end', job: toJobView(record) })}\n`);
  } else {
    const took =
      record.finishedAt === null
        ? ''
        : ` after ${formatDuration(record.finishedAt - (record.startedAt ?? record.createdAt))}`;
    const error = record.error ? `: ${record.error.code}: ${record.error.message}` : '';
    terminal.stderr.write(`job ${record.id} ${record.status}${took}${error}\n`);
  }
  return record.status === 'completed' ? exitCodes.ok : exitCodes.jobNotCompleted;
}

/**
 * Calls `onChange` with the fresh record after each change hint (or poll) until the job is
 * terminal or the signal aborts; resolves with the last record read.
 */
function followUntilEnd(
  context: CommandContext,
  store: JobStore,
  initial: JobRecord,
  pollMs: number,
  onChange: (record: JobRecord) => Promise<void>,
): Promise<JobRecord> {
  return new Promise<JobRecord>((resolve, reject) => {
    const id = initial.id;
    let last: JobRecord | undefined = initial;
    let running = false;
    let again = false;
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      unsubscribe();
      clearInterval(timer);
      context.signal.removeEventListener('abort', onAbort);
      if (error !== undefined)
        reject(
          error instanceof Error ? error : new Error('following the job failed', { cause: error }),
        );
      else if (last) resolve(last);
      else reject(new NotFoundError(`job ${echo(id)} is gone (deleted while followed)`));
    };
    const refresh = (): void => {
      if (done) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      void (async () => {
        try {
          do {
            again = false;
            const record = await store.get(id);
            if (!record) {
              last = undefined;
              finish();
              return;
            }
            last = record;
            await onChange(record);
            if (isTerminalStatus(record.status)) {
              finish();
              return;
            }
          } while (again && !done);
        } catch (error) {
          finish(error);
        } finally {
          running = false;
        }
      })();
    };
    const onAbort = () => finish();
    const unsubscribe = store.subscribe(() => refresh(), { id });
    const timer = setInterval(refresh, pollMs);
    context.signal.addEventListener('abort', onAbort, { once: true });
    if (context.signal.aborted) onAbort();
    else refresh();
  });
}
