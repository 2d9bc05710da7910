import { closeSync, fstatSync, openSync, statSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileLocks } from './file-lock';
import { parseIndexLine, type IndexLine } from './index-entry';
import { createSortedEntries, type SortedEntries } from './sorted-entries';

/** Options for `createIndexLog`. */
export interface IndexLogOptions {
  /** The folder holding `index.log` (nothing else, so a watch on it is cheap). */
  directory: string;
  /** This store instance's id, written in every line. */
  writer: string;
  locks: FileLocks;
  /** Called for each line read after the first load (including this writer's own lines). */
  onLine?: (line: IndexLine) => void;
  /** Compact when the log holds more than `2 × live entries + compactSlack` lines (default 5000). */
  compactSlack?: number;
}

/** The shared, append-only index log every process tails from its last offset. */
export interface IndexLog {
  readonly entries: SortedEntries;
  /** Reads what other processes appended since the last call (compacting now and then). */
  refresh(): Promise<void>;
  /** Appends lines (one `write`, `O_APPEND`) and applies them here at once. */
  append(lines: readonly IndexLine[]): Promise<void>;
  /** Rewrites the log with one line per live job. */
  compact(): Promise<void>;
  close(): Promise<void>;
}

const readChunkBytes = 4 * 1024 * 1024;

/**
 * Creates the index log reader/appender. Appends use `O_APPEND`; after each append the
 * writer checks the path still names the file it wrote to and appends again if a compaction
 * replaced it meanwhile (lines are idempotent: the highest version wins). A compaction
 * renames a rewritten log into place, then copies the old file's late lines into the new one.
 */
export function createIndexLog(options: IndexLogOptions): IndexLog {
  const path = join(options.directory, 'index.log');
  const compactSlack = options.compactSlack ?? 5000;
  const entries = createSortedEntries();
  const deletedVersions = new Map<string, number>();
  let trackedInode: number | undefined;
  let offset = 0;
  let linesInFile = 0;
  let remainder = Buffer.alloc(0);
  let loaded = false;
  let appendDescriptor: number | undefined;
  let appendInode: number | undefined;
  let refreshing: Promise<void> | undefined;

  function apply(line: IndexLine): void {
    if (line.type === 'output') return;
    if (line.type === 'deleted') {
      const known = entries.get(line.id);
      if (!known || known.version <= line.version) entries.delete(line.id);
      deletedVersions.set(line.id, Math.max(line.version, deletedVersions.get(line.id) ?? 0));
      return;
    }
    const deleted = deletedVersions.get(line.id);
    if (deleted !== undefined && line.version <= deleted) return;
    const known = entries.get(line.id);
    if (known && known.version >= line.version) return;
    entries.set({
      id: line.id,
      status: line.status,
      version: line.version,
      scope: line.scope ?? null,
      label: line.label,
      ...(typeof line.tool === 'string' ? { tool: line.tool } : {}),
      createdAt: line.createdAt,
      finishedAt: line.finishedAt ?? null,
      expiresAt: line.expiresAt ?? null,
    });
  }

  function consume(buffer: Buffer, notify: boolean): void {
    const data = remainder.length > 0 ? Buffer.concat([remainder, buffer]) : buffer;
    const end = data.lastIndexOf(0x0a);
    // Decode complete lines in one go (a torn last line waits for the rest of its bytes).
    const start = end + 1;
    if (end >= 0) {
      for (const text of data.toString('utf8', 0, end).split('\n')) {
        linesInFile += 1;
        const line = parseIndexLine(text);
        if (!line) continue;
        apply(line);
        if (notify) options.onLine?.(line);
      }
    }
    remainder = Buffer.from(data.subarray(start));
  }

  async function readNew(): Promise<void> {
    // Nothing new (the usual case after a watch event for this process's own append): one stat.
    const current = statSync(path, { throwIfNoEntry: false });
    if (current === undefined) return;
    if (loaded && current.ino === trackedInode && current.size === offset) return;
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    let rebuilding = false;
    try {
      const info = await handle.stat();
      if (info.ino !== trackedInode) {
        // First load, or a compaction replaced the file: rebuild from its start.
        rebuilding = trackedInode !== undefined;
        trackedInode = info.ino;
        offset = 0;
        linesInFile = 0;
        remainder = Buffer.alloc(0);
        if (rebuilding) {
          entries.clear();
          deletedVersions.clear();
        }
      }
      const notify = loaded && !rebuilding;
      const bulk = !loaded || rebuilding;
      if (bulk) entries.beginBulk();
      try {
        await readRange(handle, info.size, notify);
      } finally {
        if (bulk) entries.endBulk();
      }
      loaded = true;
    } finally {
      await handle.close();
    }
  }

  async function readRange(handle: FileHandle, size: number, notify: boolean): Promise<void> {
    if (offset >= size) return;
    const buffer = Buffer.allocUnsafe(Math.min(readChunkBytes, size - offset));
    while (offset < size) {
      const { bytesRead } = await handle.read(
        buffer,
        0,
        Math.min(buffer.length, size - offset),
        offset,
      );
      if (bytesRead === 0) break;
      offset += bytesRead;
      consume(buffer.subarray(0, bytesRead), notify);
    }
  }

  async function refresh(): Promise<void> {
    await readToEnd();
    if (needsCompaction()) await compact({ onlyIfNeeded: true });
  }

  function needsCompaction(): boolean {
    return linesInFile > 2 * entries.size + compactSlack;
  }

  function openAppend(): number {
    if (appendDescriptor === undefined) {
      appendDescriptor = openSync(path, 'a');
      appendInode = fstatSync(appendDescriptor).ino;
    }
    return appendDescriptor;
  }

  /*
   * Appends are synchronous on purpose: one `write` with `O_APPEND` to the page cache and one
   * `stat`, microseconds each, where thread-pool round trips cost ten times more.
   */
  function append(lines: readonly IndexLine[]): Promise<void> {
    try {
      appendNow(lines);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  function appendNow(lines: readonly IndexLine[]): void {
    if (lines.length === 0) return;
    const text = lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
    for (let attempt = 0; ; attempt += 1) {
      const descriptor = openAppend();
      const written = writeSync(descriptor, text);
      const current = statSync(path, { throwIfNoEntry: false });
      if (current?.ino === appendInode) {
        skipOwnLines(descriptor, written, lines.length);
        break;
      }
      if (attempt >= 5) break;
      // A compaction replaced the log after we opened it: write the lines to the new one too.
      closeSync(appendDescriptor!);
      appendDescriptor = undefined;
    }
    for (const line of lines) apply(line);
  }

  /**
   * When our lines went right after what this reader had read (nobody else appended in
   * between), move the read offset past them: they are applied already, and the watch event
   * they cause then costs one `stat` instead of a read of our own lines.
   */
  function skipOwnLines(descriptor: number, written: number, count: number): void {
    if (refreshing !== undefined || !loaded || remainder.length > 0) return;
    if (appendInode !== trackedInode) return;
    if (fstatSync(descriptor).size !== offset + written) return;
    offset += written;
    linesInFile += count;
  }

  async function compact(compactOptions: { onlyIfNeeded?: boolean } = {}): Promise<void> {
    await options.locks.withLock('index-compaction', async () => {
      await readToEnd();
      if (compactOptions.onlyIfNeeded && !needsCompaction()) return;
      let oldHandle: FileHandle;
      try {
        oldHandle = await open(path, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      try {
        const oldInfo = await oldHandle.stat();
        if (oldInfo.ino !== trackedInode) return;
        const copiedUpTo = offset - remainder.length;
        const text = [...entries.values()]
          .map((entry) =>
            JSON.stringify({
              type: 'changed',
              writer: options.writer,
              cancelRequested: false,
              ...entry,
            }),
          )
          .join('\n');
        const temporaryPath = `${path}.${options.writer}.tmp`;
        const temporary = await open(temporaryPath, 'w');
        try {
          await temporary.writeFile(text.length > 0 ? `${text}\n` : '');
        } finally {
          await temporary.close();
        }
        try {
          await rename(temporaryPath, path);
        } catch (error) {
          await unlink(temporaryPath).catch(() => undefined);
          throw error;
        }
        // Lines appended to the old file after our last read: copy them over.
        const lateSize = (await oldHandle.stat()).size - copiedUpTo;
        if (lateSize > 0) {
          const late = Buffer.alloc(lateSize);
          await oldHandle.read(late, 0, lateSize, copiedUpTo);
          const complete = late.subarray(0, late.lastIndexOf(0x0a) + 1);
          if (complete.length > 0) {
            const handle = await open(path, 'a');
            try {
              await handle.write(complete);
            } finally {
              await handle.close();
            }
          }
        }
      } finally {
        await oldHandle.close();
      }
    });
    await readToEnd();
  }

  async function readToEnd(): Promise<void> {
    // A call that arrives while a read runs waits for it, then reads again (so it sees fresh data).
    while (refreshing) await refreshing;
    refreshing = readNew().finally(() => {
      refreshing = undefined;
    });
    await refreshing;
  }

  return {
    entries,
    refresh,
    append,
    compact: () => compact(),
    close() {
      if (appendDescriptor !== undefined) closeSync(appendDescriptor);
      appendDescriptor = undefined;
      return Promise.resolve();
    },
  };
}
