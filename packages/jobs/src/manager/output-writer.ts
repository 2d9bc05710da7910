import type { JobStore, OutputStream } from '../job-store';
import type { TimerSet } from './manager-timers';
import { retryStoreCall } from './retry-store-call';

interface JobOutput {
  stdout: string[];
  stderr: string[];
  drained: Promise<void> | undefined;
}

/** Options for `createOutputWriter`. */
export interface OutputWriterOptions {
  store: JobStore;
  timers: TimerSet;
  logger: { warn(message: string): void };
  /** Failed appends are retried this many times, then dropped with a warning (default 5). */
  maxAttempts?: number;
}

/** Ordered, batched output appends per job and stream. */
export interface OutputWriter {
  append(id: string, stream: OutputStream, chunk: string): void;
  /** Resolves when everything queued so far for the job is stored (or dropped with a warning). */
  flush(id: string): Promise<void>;
  /** Resolves when every job's queue is drained. */
  flushAll(): Promise<void>;
}

/**
 * Queues output appends: chunks that arrive while a write is in flight are joined into one
 * append, so a chatty job costs few store writes; order per stream is kept.
 */
export function createOutputWriter(options: OutputWriterOptions): OutputWriter {
  const jobs = new Map<string, JobOutput>();
  const maxAttempts = options.maxAttempts ?? 5;

  async function writeStream(id: string, stream: OutputStream, data: string): Promise<void> {
    let attempts = 0;
    try {
      await retryStoreCall(
        () => {
          attempts++;
          return options.store.appendOutput(id, stream, data);
        },
        {
          timers: options.timers,
          logger: options.logger,
          what: `appending ${stream} of job ${id}`,
          shouldStop: () => attempts >= maxAttempts,
          initialDelayMs: 50,
          maxDelayMs: 1000,
        },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.logger.warn(
        `[@sa/jobs] dropped ${Buffer.byteLength(data)} bytes of ${stream} of job ${id}: ${message}`,
      );
    }
  }

  async function drain(id: string, output: JobOutput): Promise<void> {
    for (;;) {
      const stream: OutputStream | undefined =
        output.stdout.length > 0 ? 'stdout' : output.stderr.length > 0 ? 'stderr' : undefined;
      if (stream === undefined) break;
      const data = output[stream].join('');
      output[stream] = [];
      await writeStream(id, stream, data);
    }
    output.drained = undefined;
    if (output.stdout.length === 0 && output.stderr.length === 0) jobs.delete(id);
  }

  return {
    append(id, stream, chunk) {
      if (chunk.length === 0) return;
      let output = jobs.get(id);
      if (output === undefined) {
        output = { stdout: [], stderr: [], drained: undefined };
        jobs.set(id, output);
      }
      output[stream].push(chunk);
      output.drained ??= drain(id, output);
    },
    flush(id) {
      return jobs.get(id)?.drained ?? Promise.resolve();
    },
    async flushAll() {
      await Promise.all([...jobs.values()].map((output) => output.drained ?? Promise.resolve()));
    },
  };
}
