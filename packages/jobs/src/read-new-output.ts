import { ConflictError } from '@sa/core';
import type { JobStore, OutputChunk, OutputStream } from './job-store';

/** Options for `readNewOutput`. */
export interface ReadNewOutputOptions {
  /** Name of the stored cursor (default `delivered`); the stream is appended: `delivered:stdout`. */
  cursorName?: string;
  /** Read at most this many bytes (default 1 MiB). */
  maxBytes?: number;
}

/**
 * Reads a job's output not delivered yet (per the cursor kept in the store) and advances that
 * cursor with compare-and-set, so two concurrent callers never get the same bytes.
 *
 * @example
 * const { data } = await readNewOutput(store, jobId, 'stdout'); // only what is new since the last call
 */
export async function readNewOutput(
  store: JobStore,
  id: string,
  stream: OutputStream,
  options: ReadNewOutputOptions = {},
): Promise<OutputChunk> {
  const name = `${options.cursorName ?? 'delivered'}:${stream}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const stored = await store.getCursor(id, name);
    const chunk = await store.readOutput(id, stream, {
      offset: stored ?? 0,
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    });
    if (chunk.nextOffset === (stored ?? 0)) return chunk;
    if (await store.setCursor(id, name, stored, chunk.nextOffset)) return chunk;
  }
  throw new ConflictError(`Could not advance the ${name} cursor of job ${id}: too much contention`);
}
