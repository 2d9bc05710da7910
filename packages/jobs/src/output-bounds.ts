import type { OutputChunk } from './job-store';

/** Default bound of one job's output stream: 1 MiB (oldest bytes are dropped beyond it). */
export const defaultMaxOutputBytes = 1024 * 1024;

/** True for a UTF-8 continuation byte (0b10xxxxxx): not the start of a character. */
export function isContinuationByte(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/**
 * Reads a UTF-8 byte window: `kept` holds the bytes from `keptStart` to the end offset. Shared by
 * the stores so every store cuts, drops and counts the same way.
 */
export function readBoundedBytes(
  kept: Uint8Array,
  keptStart: number,
  offset: number,
  maxBytes: number,
): OutputChunk {
  const endOffset = keptStart + kept.length;
  const droppedBytes = offset < keptStart ? keptStart - offset : 0;
  let from = Math.max(offset, keptStart) - keptStart;
  if (from > kept.length) from = kept.length;
  while (from < kept.length && isContinuationByte(kept[from])) from++;
  let to = Math.min(kept.length, from + maxBytes);
  while (to < kept.length && to > from && isContinuationByte(kept[to])) to--;
  if (to === from && from < kept.length) {
    // maxBytes is smaller than the next character: return that one character anyway.
    to = from + 1;
    while (to < kept.length && isContinuationByte(kept[to])) to++;
  }
  return {
    data: Buffer.from(kept.buffer, kept.byteOffset + from, to - from).toString('utf8'),
    nextOffset: keptStart + to,
    droppedBytes,
    endOffset,
  };
}
