import { isSaError } from '@sa/core';
import type { JobStore, OutputStream } from '../job-store';
import { isContinuationByte } from '../output-bounds';
import type { TimerSet } from './manager-timers';
import { retryStoreCall } from './retry-store-call';

/** One stream's queue: chunks not written yet, and where the stream ends in the store. */
interface StreamQueue {
  chunks: string[];
  bytes: number;
  /** The stream's end offset in the store as this writer knows it (read before the first append). */
  offset: number | undefined;
  /** Bytes dropped from the queue by the bound while the store was unreachable, not yet reported. */
  dropped: number;
}

interface JobOutput {
  stdout: StreamQueue;
  stderr: StreamQueue;
  drained: Promise<void> | undefined;
}

/** Options for `createOutputWriter`. */
export interface OutputWriterOptions {
  store: JobStore;
  timers: TimerSet;
  logger: { warn(message: string): void };
  /**
   * Bytes queued per job and stream while the store is unreachable (default 1 MiB); past it
   * the oldest queued bytes are dropped and counted, as the store's own bound would.
   */
  maxQueuedBytes?: number;
  /** Stop retrying (drop what is queued, with a warning) once this returns true (the manager gave up at close). */
  shouldStop?: () => boolean;
}

/** Ordered, batched output appends per job and stream. */
export interface OutputWriter {
  append(id: string, stream: OutputStream, chunk: string): void;
  /** Resolves when everything queued so far for the job is stored (or dropped with a warning); forgets the job. */
  flush(id: string): Promise<void>;
  /** Resolves when every job's queue is drained. */
  flushAll(): Promise<void>;
}

const newQueue = (): StreamQueue => ({ chunks: [], bytes: 0, offset: undefined, dropped: 0 });

/** Drops the oldest queued bytes past `maxBytes`, at a character boundary; returns how many. */
function trimQueue(queue: StreamQueue, maxBytes: number): number {
  if (queue.bytes <= maxBytes) return 0;
  const all = Buffer.from(queue.chunks.join(''), 'utf8');
  let cut = all.length - maxBytes;
  while (cut < all.length && isContinuationByte(all[cut])) cut++;
  queue.chunks = [all.subarray(cut).toString('utf8')];
  queue.bytes = all.length - cut;
  return cut;
}

/**
 * Queues output appends: chunks that arrive while a write is in flight are joined into one
 * append, so a chatty job costs few store writes; order per stream is kept. Appends carry the
 * stream's expected end offset, so an append retried after a lost reply is never written twice,
 * and they are retried until the store is back (the queue bounded meanwhile).
 */
export function createOutputWriter(options: OutputWriterOptions): OutputWriter {
  const jobs = new Map<string, JobOutput>();
  const maxQueuedBytes = options.maxQueuedBytes ?? 1024 * 1024;
  const shouldStop = options.shouldStop ?? (() => false);

  const endOffset = async (id: string, stream: OutputStream): Promise<number> =>
    (await options.store.readOutput(id, stream, { offset: 0, maxBytes: 1 })).endOffset;

  /** Appends `data` at the stream's known end (done too when an earlier try landed unseen). */
  async function appendOnce(
    id: string,
    stream: OutputStream,
    queue: StreamQueue,
    data: string,
    bytes: number,
    retried: boolean,
  ): Promise<void> {
    queue.offset ??= await endOffset(id, stream);
    try {
      await options.store.appendOutput(id, stream, data, { expectedOffset: queue.offset });
    } catch (error) {
      if (!isSaError(error, 'CONFLICT')) throw error;
      const end = await endOffset(id, stream);
      // An earlier try landed although its reply was lost: done, never written twice.
      if (retried && end === queue.offset + bytes) {
        queue.offset = end;
        return;
      }
      // Someone else appended to the stream: append after them.
      queue.offset = end;
      await options.store.appendOutput(id, stream, data, { expectedOffset: end });
    }
    queue.offset += bytes;
  }

  async function writeStream(id: string, stream: OutputStream, queue: StreamQueue, data: string) {
    const bytes = Buffer.byteLength(data, 'utf8');
    let tries = 0;
    try {
      await retryStoreCall(() => appendOnce(id, stream, queue, data, bytes, tries++ > 0), {
        timers: options.timers,
        logger: options.logger,
        what: `appending ${stream} of job ${id}`,
        shouldStop,
        initialDelayMs: 50,
        maxDelayMs: 1000,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.logger.warn(
        `[@sa/jobs] dropped ${bytes} bytes of ${stream} of job ${id}: ${message}`,
      );
    }
  }

  async function drain(id: string, output: JobOutput): Promise<void> {
    for (;;) {
      const stream: OutputStream | undefined =
        output.stdout.chunks.length > 0
          ? 'stdout'
          : output.stderr.chunks.length > 0
            ? 'stderr'
            : undefined;
      if (stream === undefined) break;
      const queue = output[stream];
      const data = queue.chunks.join('');
      queue.chunks = [];
      queue.bytes = 0;
      if (queue.dropped > 0) {
        options.logger.warn(
          `[@sa/jobs] dropped the oldest ${queue.dropped} queued bytes of ${stream} of job ${id} while the store was unreachable`,
        );
        queue.dropped = 0;
      }
      await writeStream(id, stream, queue, data);
    }
    output.drained = undefined;
  }

  return {
    append(id, stream, chunk) {
      if (chunk.length === 0) return;
      let output = jobs.get(id);
      if (output === undefined) {
        output = { stdout: newQueue(), stderr: newQueue(), drained: undefined };
        jobs.set(id, output);
      }
      const queue = output[stream];
      queue.chunks.push(chunk);
      queue.bytes += Buffer.byteLength(chunk, 'utf8');
      queue.dropped += trimQueue(queue, maxQueuedBytes);
      output.drained ??= drain(id, output);
    },
    async flush(id) {
      const output = jobs.get(id);
      if (output === undefined) return;
      await output.drained;
      // The known end offsets are kept between bursts (no read before each append) until the
      // job's output is flushed, which the manager does before the job's terminal write.
      if (output.drained === undefined && jobs.get(id) === output) jobs.delete(id);
    },
    async flushAll() {
      await Promise.all([...jobs.values()].map((output) => output.drained ?? Promise.resolve()));
    },
  };
}
