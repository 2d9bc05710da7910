import type { OutputChunk } from '../job-store';
import { isContinuationByte } from '../output-bounds';
import { offsetPastEnd } from '../validate-arguments';

/** What the read query returns for one stream. */
export interface StoredOutput {
  /** Bytes written in all. */
  endOffset: number;
  /** Start of the oldest chunk still stored (or the end when none is). */
  firstStart: number;
  /** The fetched chunks, in order, covering the requested window (and 3 bytes before it). */
  chunks: { start: number; data: Buffer }[];
}

/**
 * Cuts a read out of stored chunks: keeps at most `maxOutputBytes` (the oldest bytes beyond it
 * count as dropped, at a character boundary) and never splits a character (a read returns at
 * least one whole character, even when `maxBytes` is smaller).
 */
export function readStoredOutput(
  stored: StoredOutput,
  options: { offset: number; maxBytes: number; maxOutputBytes: number; stream: string },
): OutputChunk {
  const end = stored.endOffset;
  const { offset, maxBytes } = options;
  if (offset > end) {
    throw offsetPastEnd(options.stream, offset, end);
  }
  const first = stored.chunks[0];
  const base = first?.start ?? end;
  const buffer = Buffer.concat(stored.chunks.map((chunk) => chunk.data));
  const byteAt = (position: number): number | undefined =>
    position >= base && position < base + buffer.length ? buffer[position - base] : undefined;
  let keptStart = Math.max(end - options.maxOutputBytes, stored.firstStart, 0);
  while (keptStart < end && isContinuationByte(byteAt(keptStart))) keptStart++;
  const droppedBytes = offset < keptStart ? keptStart - offset : 0;
  let from = Math.max(offset, keptStart);
  while (from < end && isContinuationByte(byteAt(from))) from++;
  let to = Math.min(end, from + maxBytes);
  while (to < end && to > from && isContinuationByte(byteAt(to))) to--;
  if (to === from && from < end) {
    to = from + 1;
    while (to < end && isContinuationByte(byteAt(to))) to++;
  }
  const data = to > from ? buffer.subarray(from - base, to - base).toString('utf8') : '';
  return { data, nextOffset: to > from ? to : from, droppedBytes, endOffset: end };
}
