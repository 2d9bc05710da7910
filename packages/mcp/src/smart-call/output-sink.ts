import { InvalidArgumentError } from '@sa/core';
import type { JobManager, OutputStream } from '@sa/jobs';

/** Default bound of output kept in memory before a job exists: 1 MiB. */
export const defaultMaxBufferedOutputBytes = 1024 * 1024;

interface BufferedChunk {
  stream: OutputStream;
  chunk: string;
  bytes: number;
}

/**
 * Where a smart tool's output goes: a bounded in-memory buffer until the work becomes a job,
 * then the job's output log (the buffer first, in order). Inline results never touch the store.
 */
export class OutputSink {
  readonly #jobs: JobManager;
  readonly #maxBytes: number;
  #jobId: string | undefined;
  #buffer: BufferedChunk[] | undefined;
  #bufferedBytes = 0;
  #droppedBytes = 0;

  constructor(jobs: JobManager, maxBytes: number) {
    this.#jobs = jobs;
    this.#maxBytes = maxBytes;
  }

  /** Appends a chunk: straight to the job once attached, else to the bounded buffer. */
  append(stream: OutputStream, chunk: string): void {
    if (stream !== 'stdout' && stream !== 'stderr') {
      throw new InvalidArgumentError(
        `appendOutput: stream must be "stdout" or "stderr", got ${JSON.stringify(stream)}`,
      );
    }
    if (typeof chunk !== 'string') {
      throw new InvalidArgumentError(`appendOutput: chunk must be a string, got ${typeof chunk}`);
    }
    if (chunk === '') return;
    if (this.#jobId !== undefined) {
      this.#jobs.appendOutput(this.#jobId, stream, chunk);
      return;
    }
    const bytes = Buffer.byteLength(chunk);
    const buffer = (this.#buffer ??= []);
    buffer.push({ stream, chunk, bytes });
    this.#bufferedBytes += bytes;
    while (this.#bufferedBytes > this.#maxBytes && buffer.length > 0) {
      const dropped = buffer.shift()!;
      this.#bufferedBytes -= dropped.bytes;
      this.#droppedBytes += dropped.bytes;
    }
  }

  /** Binds the sink to a job: writes what was buffered, then sends every later chunk there. */
  attach(jobId: string): void {
    if (this.#jobId !== undefined) return;
    this.#jobId = jobId;
    if (this.#droppedBytes > 0) {
      this.#jobs.appendOutput(
        jobId,
        'stderr',
        `[smart-async: ${this.#droppedBytes} bytes of output from before the job started were dropped]\n`,
      );
    }
    for (const { stream, chunk } of this.#buffer ?? []) {
      this.#jobs.appendOutput(jobId, stream, chunk);
    }
    this.#buffer = undefined;
    this.#bufferedBytes = 0;
  }

  /** Forgets the buffer (the call finished inline). */
  discard(): void {
    this.#buffer = undefined;
    this.#bufferedBytes = 0;
  }
}
