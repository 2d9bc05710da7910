import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options for `writeFileAtomically`. */
export interface WriteAtomicallyOptions {
  /** Fsync the file before the rename and the directory after it (default true). */
  durable?: boolean;
}

/**
 * Writes `content` to `path` through a temp file in the same directory and a rename, so a
 * reader sees the old or the new content, never a mix. With `durable`, the file is fsynced
 * before the rename and its directory after it: the write survives a crash once this resolves.
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
  const handle = await open(temporaryPath, 'w');
  try {
    await handle.writeFile(content);
    if (durable) await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporaryPath).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temporaryPath, path);
  } catch (error) {
    await unlink(temporaryPath).catch(() => undefined);
    throw error;
  }
  if (durable) await syncDirectory(dirname(path));
}

/** Fsyncs a directory so a rename or unlink in it survives a crash (a no-op where unsupported). */
export async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
  } catch (error) {
    if (isUnsupported(error)) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!isUnsupported(error)) throw error;
  } finally {
    await handle.close();
  }
}

function isUnsupported(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'EBADF';
}
