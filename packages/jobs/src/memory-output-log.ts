import type { OutputChunk } from './job-store';
import { isContinuationByte, readBoundedBytes } from './output-bounds';

/**
 * An append-only, bounded output log with byte offsets since the stream began. When it grows
 * past `maxBytes` the oldest bytes are dropped, always at a character boundary.
 */
export class MemoryOutputLog {
  /** Offset of the first byte still kept. */
  private start = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Bytes written to the stream in all. */
  get endOffset(): number {
    return this.start + this.buffer.length;
  }

  /** Appends a chunk, dropping the oldest bytes past the bound. */
  append(chunk: string): void {
    if (chunk.length === 0) return;
    const bytes = Buffer.from(chunk, 'utf8');
    let combined = this.buffer.length === 0 ? bytes : Buffer.concat([this.buffer, bytes]);
    if (combined.length > this.maxBytes) {
      let cut = combined.length - this.maxBytes;
      while (cut < combined.length && isContinuationByte(combined[cut])) cut++;
      this.start += cut;
      combined = Buffer.from(combined.subarray(cut));
    }
    this.buffer = combined;
  }

  /** Reads from `offset` (at most `maxBytes`, never splitting a character; at least one character). */
  read(offset: number, maxBytes: number): OutputChunk {
    return readBoundedBytes(this.buffer, this.start, offset, maxBytes);
  }
}
