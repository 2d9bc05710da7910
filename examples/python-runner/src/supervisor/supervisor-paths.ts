import { createHash } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PythonRunnerConfig } from '../config';

/** Where a supervisor keeps its files: one directory per job store. */
export interface SupervisorPaths {
  /** `<data-dir>/supervisor/<store>-<hash>`: lock, log and (usually) socket. */
  directory: string;
  /** The lock file: the pid (and start time) of the one supervisor of this store. */
  lock: string;
  /** The supervisor's log (appended; stdout and stderr of the supervisor process). */
  log: string;
  /** The Unix socket servers connect to. */
  socket: string;
}

/** Longest Unix socket path we use (the kernel's limit is 108 bytes on Linux, 104 on macOS). */
const maxSocketPathBytes = 100;

/**
 * What makes two servers share a supervisor: the same store (file directory, or server URL
 * and prefix). A supervisor serves exactly one store.
 */
export function storeIdentity(
  config: Pick<PythonRunnerConfig, 'dataDirectory' | 'store' | 'storeUrl' | 'storePrefix'>,
): string {
  if (config.store === 'file') {
    const url = config.storeUrl;
    const directory =
      url === undefined
        ? join(config.dataDirectory, 'jobs')
        : url.startsWith('file:')
          ? fileURLToPath(url)
          : url;
    return `file:${resolve(directory)}`;
  }
  return `${config.store}:${config.storeUrl ?? ''}#${config.storePrefix ?? ''}`;
}

/**
 * The files of the supervisor of a configuration's store. The socket lives beside the lock
 * unless that path is too long for a Unix socket; then in a private per-user folder of the
 * temporary directory.
 */
export function supervisorPaths(
  config: Pick<PythonRunnerConfig, 'dataDirectory' | 'store' | 'storeUrl' | 'storePrefix'>,
): SupervisorPaths {
  const hash = createHash('sha256').update(storeIdentity(config)).digest('hex').slice(0, 12);
  const directory = join(resolve(config.dataDirectory), 'supervisor', `${config.store}-${hash}`);
  let socket = join(directory, 'supervisor.sock');
  if (Buffer.byteLength(socket) > maxSocketPathBytes) {
    socket = join(privateSocketDirectory(), `${config.store}-${hash}.sock`);
  }
  return {
    directory,
    lock: join(directory, 'supervisor.lock'),
    log: join(directory, 'supervisor.log'),
    socket,
  };
}

/** `<tmp>/sa-python-runner-<user>`: created with mode 0700 by whoever needs it first. */
export function privateSocketDirectory(): string {
  let user: string;
  try {
    user = String(userInfo().uid);
  } catch {
    user = 'user';
  }
  return join(tmpdir(), `sa-python-runner-${user}`);
}
