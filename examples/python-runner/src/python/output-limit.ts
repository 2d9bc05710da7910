/** Keeps at most `maxBytes` of one output stream and counts what it drops. */
export interface OutputLimit {
  /** The part of `chunk` that still fits (maybe empty). */
  accept(chunk: Buffer): Buffer;
  /** Bytes dropped so far. */
  readonly droppedBytes: number;
  /** The notice to append at the end, or undefined when nothing was dropped. */
  notice(stream: string): string | undefined;
}

/** Creates the byte limit of one output stream (`Infinity` for none). */
export function createOutputLimit(maxBytes: number): OutputLimit {
  let kept = 0;
  let dropped = 0;
  return {
    accept(chunk) {
      const room = Math.max(0, maxBytes - kept);
      if (chunk.length <= room) {
        kept += chunk.length;
        return chunk;
      }
      kept += room;
      dropped += chunk.length - room;
      return chunk.subarray(0, room);
    },
    get droppedBytes() {
      return dropped;
    },
    notice(stream) {
      if (dropped === 0) return undefined;
      return `\n[OUTPUT TRUNCATED] ${dropped} bytes of ${stream} were dropped beyond the limit of ${maxBytes} bytes.\n`;
    },
  };
}
