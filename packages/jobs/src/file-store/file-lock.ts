import { randomBytes } from 'node:crypto';
import { linkSync, unlinkSync } from 'node:fs';
import { lstat, mkdir, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreUnavailableError } from '@sa/core';
import { currentHost, isProcessKnownDead, processStartTime } from './process-liveness';

/** Options for `createFileLocks`. */
export interface FileLocksOptions {
  /** Where lock files live (one folder on the store's file system). */
  directory: string;
  /** A lock whose owner file cannot be read is broken after this long (default 30 s). */
  staleMs?: number;
  /** Give up acquiring after this long with `STORE_UNAVAILABLE` (default 15 s). */
  timeoutMs?: number;
}

/** Named mutual exclusion between async calls of this process and between processes on one host. */
export interface FileLocks {
  /** Runs `action` while holding the lock `name` (a safe file name), then releases it. */
  withLock<T>(name: string, action: () => Promise<T>): Promise<T>;
  /** Removes this instance's owner file (locks must not be held any more). */
  close(): Promise<void>;
}

interface LockOwner {
  pid: number;
  host: string;
  token: string;
  startTime: string | undefined;
}

type LockState =
  | { kind: 'owned'; owner: LockOwner }
  | { kind: 'unreadable'; changedMs: number }
  | { kind: 'absent' };

/**
 * Creates named locks: in process, a promise queue per name; across processes, a hard link
 * `<name>.lock` to this instance's owner file (pid, host, process start time, token). `link`
 * fails when the name exists, so only one holder gets it; taking and releasing a lock creates
 * and frees no inode, which keeps it cheap. A lock whose owner process is dead on this host
 * (pid liveness, start time against pid reuse) is broken, under a second lock so two breakers
 * never remove a fresh lock. Waiting backs off from 1 to 25 ms (no busy spin).
 */
export function createFileLocks(options: FileLocksOptions): FileLocks {
  const staleMs = options.staleMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const queues = new Map<string, Promise<unknown>>();
  const token = randomBytes(8).toString('hex');
  const ownerPath = join(options.directory, `owner-${process.pid}-${token}.json`);
  let ownerReady: Promise<void> | undefined;

  function ensureOwnerFile(): Promise<void> {
    ownerReady ??= (async () => {
      await mkdir(options.directory, { recursive: true });
      const owner: LockOwner = {
        pid: process.pid,
        host: currentHost,
        token,
        startTime: processStartTime(process.pid),
      };
      await writeFile(ownerPath, JSON.stringify(owner));
      await removeDeadOwnerFiles(options.directory);
    })();
    return ownerReady;
  }

  async function acquire(path: string): Promise<void> {
    await ensureOwnerFile();
    const deadline = performance.now() + timeoutMs;
    let delayMs = 1;
    for (;;) {
      if (tryLink(ownerPath, path)) return;
      await breakIfStale(path);
      if (performance.now() > deadline) {
        throw new StoreUnavailableError(
          `The file job store could not take the lock ${path} within ${timeoutMs} ms`,
        );
      }
      await sleep(delayMs * (0.5 + Math.random()));
      delayMs = Math.min(delayMs * 2, 25);
    }
  }

  function isStale(state: LockState): boolean {
    if (state.kind === 'owned') return isOwnerDead(state.owner);
    return state.kind === 'unreadable' && wallClock() - state.changedMs > staleMs;
  }

  async function breakIfStale(path: string): Promise<void> {
    const holder = await readLock(path);
    if (!isStale(holder)) return;
    const breakerPath = `${path}.break`;
    if (!tryLink(ownerPath, breakerPath)) {
      // Another process is breaking it; a breaker that died is itself broken.
      if (isStale(await readLock(breakerPath))) await unlink(breakerPath).catch(() => undefined);
      return;
    }
    try {
      if (sameHolder(await readLock(path), holder)) await unlink(path).catch(() => undefined);
    } finally {
      await unlink(breakerPath).catch(() => undefined);
    }
  }

  return {
    withLock<T>(name: string, action: () => Promise<T>): Promise<T> {
      const path = join(options.directory, `${name}.lock`);
      const previous = queues.get(name) ?? Promise.resolve();
      const run = previous.then(async () => {
        await acquire(path);
        try {
          return await action();
        } finally {
          release(path);
        }
      });
      const settled = run.then(
        () => undefined,
        () => undefined,
      );
      queues.set(name, settled);
      void settled.then(() => {
        if (queues.get(name) === settled) queues.delete(name);
      });
      return run;
    },
    async close() {
      if (ownerReady === undefined) return;
      await ownerReady.catch(() => undefined);
      await unlink(ownerPath).catch(() => undefined);
    },
  };
}

function isOwnerDead(owner: LockOwner): boolean {
  if (isProcessKnownDead(owner.pid, owner.host)) return true;
  // Same pid, another process (the pid was reused after the owner died).
  if (owner.host !== currentHost || owner.startTime === undefined) return false;
  const startTime = processStartTime(owner.pid);
  return startTime !== undefined && startTime !== owner.startTime;
}

/** Owner files of dead processes are left behind by crashes: remove them (their locks are broken lazily). */
async function removeDeadOwnerFiles(directory: string): Promise<void> {
  for (const name of await readdir(directory).catch(() => [] as string[])) {
    if (!name.startsWith('owner-') || !name.endsWith('.json')) continue;
    const state = await readLock(join(directory, name));
    if (state.kind === 'owned' && isOwnerDead(state.owner))
      await unlink(join(directory, name)).catch(() => undefined);
  }
}

/*
 * Taking and releasing a lock use the synchronous calls on purpose: `link` and `unlink` of a
 * name touch only the directory, never wait for the disk, and take microseconds, where a
 * round trip through the libuv thread pool costs ten times more (measured in the benchmark).
 */
function tryLink(ownerPath: string, path: string): boolean {
  try {
    linkSync(ownerPath, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function release(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already broken as stale by another process: nothing left to release.
  }
}

async function readLock(path: string): Promise<LockState> {
  try {
    const owner = parseOwner(await readFile(path, 'utf8'));
    if (owner) return { kind: 'owned', owner };
    return { kind: 'unreadable', changedMs: (await lstat(path)).ctimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw error;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.token === 'string'
    ) {
      return value as LockOwner;
    }
  } catch {
    // A torn owner file: judged by its age.
  }
  return undefined;
}

function sameHolder(a: LockState, b: LockState): boolean {
  if (a.kind === 'owned' && b.kind === 'owned') return a.owner.token === b.owner.token;
  if (a.kind === 'unreadable' && b.kind === 'unreadable') return a.changedMs === b.changedMs;
  return false;
}

/** Real wall-clock time in ms, unaffected by a fake `Date` in tests (lock ages are real). */
function wallClock(): number {
  return performance.timeOrigin + performance.now();
}
