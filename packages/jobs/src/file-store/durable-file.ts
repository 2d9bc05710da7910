import { randomBytes } from 'node:crypto';
import { closeSync, fsync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const fsyncDescriptor = promisify(fsync);

/** Contents up to this size are written with one synchronous `write` to the page cache. */
const synchronousWriteLimitBytes = 256 * 1024;

/** Options for `writeFileAtomically`. */
export interface WriteAtomicallyOptions {
  /** Fsync the file before the rename and the directory after it (default true). */
  durable?: boolean;
}

/**
 * Writes `content` to `path` through a temp file in the same directory and a rename, so a
 * reader sees the old or the new content, never a mix. With `durable`, the file is fsynced
 * before the rename and its directory after it: the write survives a crash once this resolves.
 *
 * Only the two fsyncs wait for the disk, so only they go through the thread pool; opening,
 * a small write (to the page cache), closing and renaming are synchronous calls of a few
 * microseconds each, where every thread-pool round trip costs far more on a busy machine.
 */
export async function writeFileAtomically(
  path: string,
  content: string | Uint8Array,
  options: WriteAtomicallyOptions = {},
): Promise<void> {
  const durable = options.durable ?? true;
  const temporaryPath = join(
    dirname(path),
    `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  try {
    if (bytes.byteLength > synchronousWriteLimitBytes) {
      await writeFile(temporaryPath, bytes, { flush: durable });
    } else {
      await writeSmallFile(temporaryPath, bytes, durable);
    }
    renameSync(temporaryPath, path);
  } catch (error) {
    removeQuietly(temporaryPath);
    throw error;
  }
  if (durable) await syncDirectory(dirname(path));
}

/**
 * Creates a new file durably: created exclusively under its final name, written, then the file
 * and its directory fsynced together (two fsyncs, no temp file, no rename). Only for a file
 * that must not exist yet and that readers in other processes re-read under the writer's lock
 * when it looks torn: without a rename, a crash before this resolves can leave a torn file,
 * which readers treat as corrupt (it was never acknowledged). Rejects with `EEXIST` when the
 * file exists.
 */
export async function createFileDurably(path: string, content: string): Promise<void> {
  const bytes = Buffer.from(content);
  const descriptor = openSync(path, 'wx');
  try {
    let written = 0;
    while (written < bytes.byteLength) {
      written += writeSync(descriptor, bytes, written, bytes.byteLength - written);
    }
    // Nothing to order: the name and the bytes are both new, so both fsyncs run at once.
    // allSettled: the descriptor stays open until its fsync has finished, even if the other fails.
    const outcomes = await Promise.allSettled([
      fsyncDescriptor(descriptor),
      syncDirectory(dirname(path)),
    ]);
    for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  } catch (error) {
    closeSync(descriptor);
    removeQuietly(path);
    throw error;
  }
  closeSync(descriptor);
}

async function writeSmallFile(path: string, bytes: Uint8Array, durable: boolean): Promise<void> {
  const descriptor = openSync(path, 'w');
  try {
    let written = 0;
    while (written < bytes.byteLength) {
      written += writeSync(descriptor, bytes, written, bytes.byteLength - written);
    }
    if (durable) await fsyncDescriptor(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** Fsyncs a directory so a rename or unlink in it survives a crash (a no-op where unsupported). */
export async function syncDirectory(directory: string): Promise<void> {
  let descriptor: number;
  try {
    descriptor = openSync(directory, 'r');
  } catch (error) {
    if (isUnsupported(error)) return;
    throw error;
  }
  try {
    await fsyncDescriptor(descriptor);
  } catch (error) {
    if (!isUnsupported(error)) throw error;
  } finally {
    closeSync(descriptor);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never created, or already gone.
  }
}

function isUnsupported(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'EBADF';
}
