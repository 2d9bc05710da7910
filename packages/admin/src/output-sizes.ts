import type { JobStore, OutputStream } from '@sa/jobs';

/** Sizes of a job's output stream: written in all, and still kept (the rest was dropped). */
export interface OutputSize {
  writtenBytes: number;
  keptBytes: number;
}

/** The written and kept size of each output stream of a job. */
export async function outputSizes(
  store: JobStore,
  id: string,
): Promise<Record<OutputStream, OutputSize>> {
  const size = async (stream: OutputStream): Promise<OutputSize> => {
    const chunk = await store.readOutput(id, stream, { offset: 0, maxBytes: 1 });
    return { writtenBytes: chunk.endOffset, keptBytes: chunk.endOffset - chunk.droppedBytes };
  };
  const [stdout, stderr] = await Promise.all([size('stdout'), size('stderr')]);
  return { stdout, stderr };
}
