import type { JobManager, OutputStream } from '@sa/jobs';

/** What a status call reports of one output stream. */
export interface StreamRead {
  data: string;
  nextOffset: number;
  droppedBytes: number;
}

/** How to read one stream: from a caller's offset, from the stored "delivered" cursor, or all of it. */
export type StreamReadMode = { offset: number } | 'delivered' | 'all';

/** Reads one output stream of a job per `mode`. */
export async function readStream(
  jobs: JobManager,
  id: string,
  stream: OutputStream,
  mode: StreamReadMode,
): Promise<StreamRead> {
  const chunk =
    mode === 'delivered'
      ? await jobs.readNewOutput(id, stream)
      : await jobs.readOutput(id, stream, { offset: mode === 'all' ? 0 : mode.offset });
  return { data: chunk.data, nextOffset: chunk.nextOffset, droppedBytes: chunk.droppedBytes };
}

/** True when a stream holds bytes past where this reader would start. */
export async function hasUnreadOutput(
  jobs: JobManager,
  id: string,
  stream: OutputStream,
  mode: StreamReadMode,
): Promise<boolean> {
  if (mode === 'all') return false;
  const from = mode === 'delivered' ? await jobs.outputCursor(id, stream) : mode.offset;
  const chunk = await jobs.readOutput(id, stream, { offset: from, maxBytes: 1 });
  return chunk.endOffset > from;
}
