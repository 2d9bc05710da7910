import { defaultTimers, type Timers } from '@sa/core';
import type { OutputSink, StreamName } from './run-process';

/** Options for `createOutputBatcher`. */
export interface OutputBatcherOptions {
  /** Longest a chunk waits before it is passed on (default 200 ms: fewer job-log writes). */
  intervalMs?: number;
  /** Pass a stream's batch on at once when it reaches this many characters (default 64 Ki). */
  maxChars?: number;
  /** Injectable timers. */
  timers?: Timers;
}

/** An output sink that batches chunks; `flush` passes on what waits (call it at the end). */
export interface OutputBatcher {
  readonly sink: OutputSink;
  flush(): void;
}

/**
 * Joins the many small chunks of a line-by-line script into a few larger ones, so a job's
 * output log (and every reader waiting on it) is written a bounded number of times per second.
 *
 * @example
 * const batcher = createOutputBatcher((stream, chunk) => jobs.appendOutput(id, stream, chunk));
 * await runProcess({ ...options, onOutput: batcher.sink });
 * batcher.flush();
 */
export function createOutputBatcher(
  target: OutputSink,
  options: OutputBatcherOptions = {},
): OutputBatcher {
  const intervalMs = options.intervalMs ?? 200;
  const maxChars = options.maxChars ?? 64 * 1024;
  const timers = options.timers ?? defaultTimers;
  const pending: Record<StreamName, string[]> = { stdout: [], stderr: [] };
  const sizes: Record<StreamName, number> = { stdout: 0, stderr: 0 };
  let handle: unknown;
  let scheduled = false;

  const pass = (stream: StreamName): void => {
    if (sizes[stream] === 0) return;
    const text = pending[stream].join('');
    pending[stream] = [];
    sizes[stream] = 0;
    target(stream, text);
  };
  const flush = (): void => {
    if (scheduled) timers.clearTimeout(handle);
    scheduled = false;
    pass('stdout');
    pass('stderr');
  };
  return {
    sink(stream, chunk) {
      pending[stream].push(chunk);
      sizes[stream] += chunk.length;
      if (sizes[stream] >= maxChars) {
        pass(stream);
        return;
      }
      if (!scheduled) {
        scheduled = true;
        handle = timers.setTimeout(flush, intervalMs);
      }
    },
    flush,
  };
}
