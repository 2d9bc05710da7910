import { randomBytes } from 'node:crypto';
import { closeSync, fsync, open, openSync, rename, unlinkSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const fsyncDescriptor = promisify(fsync);
const openDescriptor = promisify(open);
const renamePath = promisify(rename);

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
    await renamePath(temporaryPath, path);
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
  await acquireDescriptorSlot();
  try {
    await createFileDurablyNow(path, content);
  } finally {
    releaseDescriptorSlot();
  }
}

/**
 * How many files may be open at once waiting for their fsync. The thread pool runs only a
 * few fsyncs at a time anyway, so more in flight only hold descriptors: with 10,000 jobs
 * created at once they ran the process out of them (EMFILE).
 */
const maxDescriptorsInFlight = 256;
let descriptorsInFlight = 0;
const descriptorWaiters: (() => void)[] = [];

function acquireDescriptorSlot(): Promise<void> | undefined {
  if (descriptorsInFlight < maxDescriptorsInFlight) {
    descriptorsInFlight += 1;
    return undefined;
  }
  return new Promise((resolve) => descriptorWaiters.push(resolve));
}

function releaseDescriptorSlot(): void {
  const next = descriptorWaiters.shift();
  if (next !== undefined) next();
  else descriptorsInFlight -= 1;
}

async function createFileDurablyNow(path: string, content: string): Promise<void> {
  const bytes = Buffer.from(content);
  const descriptor = await openDescriptor(path, 'wx');
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
  if (!durable) return writeSmallFileNow(path, bytes, false);
  await acquireDescriptorSlot();
  try {
    await writeSmallFileNow(path, bytes, true);
  } finally {
    releaseDescriptorSlot();
  }
}

async function writeSmallFileNow(path: string, bytes: Uint8Array, durable: boolean): Promise<void> {
  const descriptor = durable ? await openDescriptor(path, 'w') : openSync(path, 'w');
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

/** Per directory: the fsync under way, and the one queued behind it that callers may join. */
const directorySyncs = new Map<
  string,
  { running: Promise<void> | undefined; queued: Promise<void> | undefined }
>();

/**
 * Fsyncs a directory so a rename or unlink in it survives a crash (a no-op where unsupported).
 * Calls are grouped (a group commit): a call joins the fsync queued behind the one under way,
 * which starts after the call and so covers its change; a fsync already under way may have
 * started before the change, so it is never joined. However many jobs are created at once,
 * a directory has at most two fsyncs (and two descriptors) in flight, not one per job.
 */
export function syncDirectory(directory: string): Promise<void> {
  let state = directorySyncs.get(directory);
  if (state === undefined) {
    state = { running: undefined, queued: undefined };
    directorySyncs.set(directory, state);
  }
  if (state.queued !== undefined) return state.queued;
  const current = state;
  const start = (): Promise<void> => {
    const run = fsyncDirectoryNow(directory);
    current.running = run;
    const done = (): void => {
      if (current.running === run) current.running = undefined;
      if (current.running === undefined && current.queued === undefined)
        directorySyncs.delete(directory);
    };
    run.then(done, done);
    return run;
  };
  if (current.running === undefined) return start();
  const queued = current.running
    .then(
      () => undefined,
      () => undefined,
    )
    .then(() => {
      current.queued = undefined;
      return start();
    });
  current.queued = queued;
  return queued;
}

async function fsyncDirectoryNow(directory: string): Promise<void> {
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
