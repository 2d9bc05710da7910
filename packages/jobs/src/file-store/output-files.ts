import {
  appendFileSync,
  closeSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  statSync,
} from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { OutputChunk, OutputStream } from '../job-store';
import { readBoundedBytes } from '../output-bounds';
import { offsetPastEnd, outputOffsetConflict } from '../validate-arguments';
import { leadingContinuationBytes } from './utf8-boundary';

/** Bounds of one output stream. */
export interface OutputBounds {
  /** Bytes kept per job and stream; older bytes are dropped and counted. */
  maxOutputBytes: number;
}

interface Segment {
  start: number;
  path: string;
}

/** Reads up to this many bytes with synchronous calls; larger reads go through the thread pool. */
const syncReadLimit = 64 * 1024;

/**
 * Appends `chunk` to a job's stream in `directory`. The stream is a run of segment files
 * named by the byte offset they start at (`stdout.<start>.log`); segments that fall wholly
 * before `end - maxOutputBytes` are deleted. Callers hold the stream's lock. Returns the end offset.
 * With `expectedOffset`, a stream that ends elsewhere rejects with `CONFLICT` and is left as it was.
 */
export async function appendToOutput(
  directory: string,
  stream: OutputStream,
  chunk: string,
  bounds: OutputBounds & { expectedOffset?: number | undefined },
): Promise<number> {
  const segmentBytes = Math.max(1, Math.ceil(bounds.maxOutputBytes / 4));
  const segments = listSegments(directory, stream, { create: true });
  const last = segments.at(-1);
  const lastSize = last ? statSync(last.path).size : 0;
  const end = last ? last.start + lastSize : 0;
  if (bounds.expectedOffset !== undefined && end !== bounds.expectedOffset)
    throw outputOffsetConflict(basename(directory), stream, bounds.expectedOffset, end);
  const bytes = Buffer.from(chunk, 'utf8');
  if (bytes.length === 0) return end;
  const newEnd = end + bytes.length;
  let all: Segment[];
  if (bytes.length >= bounds.maxOutputBytes) {
    // The chunk alone fills the bound: keep its tail in a fresh segment, drop everything else.
    const tail = bytes.subarray(bytes.length - bounds.maxOutputBytes);
    const start = newEnd - tail.length;
    appendFileSync(segmentPath(directory, stream, start), tail);
    for (const segment of segments) {
      if (segment.start !== start) await unlink(segment.path).catch(ignoreMissing);
    }
    return newEnd;
  }
  if (!last || lastSize >= segmentBytes) {
    appendFileSync(segmentPath(directory, stream, end), bytes);
    all = [...segments, { start: end, path: segmentPath(directory, stream, end) }];
  } else {
    appendFileSync(last.path, bytes);
    all = segments;
  }
  const firstKept = newEnd - bounds.maxOutputBytes;
  for (const [index, segment] of all.entries()) {
    const next = all[index + 1];
    if (next === undefined || next.start > firstKept) break;
    await unlink(segment.path).catch(ignoreMissing);
  }
  return newEnd;
}

/** Reads a job's stream from `offset`, at most `maxBytes`, never splitting a character. */
export async function readFromOutput(
  directory: string,
  stream: OutputStream,
  options: { offset: number; maxBytes: number } & OutputBounds,
): Promise<OutputChunk> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await readOnce(directory, stream, options);
    } catch (error) {
      // A concurrent append dropped a segment between listing and reading: read again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw error;
    }
  }
}

async function readOnce(
  directory: string,
  stream: OutputStream,
  options: { offset: number; maxBytes: number } & OutputBounds,
): Promise<OutputChunk> {
  const segments = listSegments(directory, stream, { create: false });
  const last = segments.at(-1);
  const end = last ? last.start + statSync(last.path).size : 0;
  if (options.offset > end) {
    throw offsetPastEnd(stream, options.offset, end);
  }
  const firstKept = Math.max(segments[0]?.start ?? 0, end - options.maxOutputBytes);
  let windowStart = Math.max(options.offset, firstKept);
  // Read a few bytes past the limit so a character straddling it can be judged.
  let window = await readRange(
    segments,
    end,
    windowStart,
    Math.min(end, windowStart + options.maxBytes + 4),
  );
  if (windowStart === firstKept) {
    // The bound cut a character in two: its tail counts as dropped too.
    const skipped = leadingContinuationBytes(window);
    window = window.subarray(skipped);
    windowStart += skipped;
  }
  return {
    ...readBoundedBytes(window, windowStart, options.offset, options.maxBytes),
    endOffset: end,
  };
}

async function readRange(
  segments: Segment[],
  end: number,
  from: number,
  to: number,
): Promise<Buffer> {
  const result = Buffer.alloc(to - from);
  for (const [index, segment] of segments.entries()) {
    const segmentEnd = segments[index + 1]?.start ?? end;
    const overlapStart = Math.max(from, segment.start);
    const overlapEnd = Math.min(to, segmentEnd);
    if (overlapStart >= overlapEnd) continue;
    if (overlapEnd - overlapStart <= syncReadLimit) {
      const descriptor = openSync(segment.path, 'r');
      try {
        readSync(
          descriptor,
          result,
          overlapStart - from,
          overlapEnd - overlapStart,
          overlapStart - segment.start,
        );
      } finally {
        closeSync(descriptor);
      }
      continue;
    }
    const handle = await open(segment.path, 'r');
    try {
      await handle.read(
        result,
        overlapStart - from,
        overlapEnd - overlapStart,
        overlapStart - segment.start,
      );
    } finally {
      await handle.close();
    }
  }
  return result;
}

function listSegments(
  directory: string,
  stream: OutputStream,
  options: { create: boolean },
): Segment[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (options.create) mkdirSync(directory, { recursive: true });
    return [];
  }
  const prefix = `${stream}.`;
  const segments: Segment[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.log')) continue;
    const start = Number(name.slice(prefix.length, -'.log'.length));
    if (Number.isSafeInteger(start) && start >= 0)
      segments.push({ start, path: join(directory, name) });
  }
  return segments.sort((a, b) => a.start - b.start);
}

function segmentPath(directory: string, stream: OutputStream, start: number): string {
  return join(directory, `${stream}.${start}.log`);
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
