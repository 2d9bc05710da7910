import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreUnavailableError } from '@sa/core';
import { currentHost, isProcessKnownDead } from './process-liveness';

/** Options for `createFileLocks`. */
export interface FileLocksOptions {
  /** Where lock files live. */
  directory: string;
  /** A lock older than this is broken even when its holder looks alive (default 30 s). */
  staleMs?: number;
  /** Give up acquiring after this long with `STORE_UNAVAILABLE` (default 15 s). */
  timeoutMs?: number;
}

/** Named mutual exclusion between async calls of this process and between processes on one host. */
export interface FileLocks {
  /** Runs `action` while holding the lock `name` (a safe file name), then releases it. */
  withLock<T>(name: string, action: () => Promise<T>): Promise<T>;
}

interface LockContent {
  pid: number;
  host: string;
  token: string;
  at: number;
}

/**
 * Creates named locks: in process, a promise queue per name; across processes, a lock file
 * created with `O_EXCL`. A lock whose holder is dead on this host (pid liveness) or older
 * than `staleMs` is broken, under a second lock so two breakers never remove a fresh lock.
 * Waiting backs off from 1 ms to 25 ms (no busy spin).
 */
export function createFileLocks(options: FileLocksOptions): FileLocks {
  const staleMs = options.staleMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const queues = new Map<string, Promise<unknown>>();

  async function acquire(name: string): Promise<string> {
    const path = join(options.directory, `${name}.lock`);
    const token = randomBytes(8).toString('hex');
    const content: LockContent = { pid: process.pid, host: currentHost, token, at: wallClock() };
    const deadline = performance.now() + timeoutMs;
    let delayMs = 1;
    for (;;) {
      if (await tryCreate(path, JSON.stringify(content))) return token;
      await breakIfStale(path, name);
      if (performance.now() > deadline) {
        throw new StoreUnavailableError(
          `file store: could not take the lock ${path} within ${timeoutMs} ms`,
        );
      }
      await sleep(delayMs * (0.5 + Math.random()));
      delayMs = Math.min(delayMs * 2, 25);
    }
  }

  async function breakIfStale(path: string, name: string): Promise<void> {
    const holder = await readLock(path);
    if (holder === 'absent' || !isStale(holder)) return;
    const breakerPath = join(options.directory, `${name}.break`);
    if (
      !(await tryCreate(
        breakerPath,
        JSON.stringify({ pid: process.pid, host: currentHost, token: '', at: wallClock() }),
      ))
    ) {
      const breaker = await readLock(breakerPath);
      if (breaker !== 'absent' && isStale(breaker))
        await unlink(breakerPath).catch(() => undefined);
      return;
    }
    try {
      const again = await readLock(path);
      if (again !== 'absent' && sameHolder(again, holder))
        await unlink(path).catch(() => undefined);
    } finally {
      await unlink(breakerPath).catch(() => undefined);
    }
  }

  function isStale(holder: LockContent | { mtimeMs: number }): boolean {
    if ('pid' in holder) {
      return isProcessKnownDead(holder.pid, holder.host) || wallClock() - holder.at > staleMs;
    }
    return wallClock() - holder.mtimeMs > staleMs;
  }

  async function release(name: string, token: string): Promise<void> {
    const path = join(options.directory, `${name}.lock`);
    const holder = await readLock(path);
    if (holder !== 'absent' && 'token' in holder && holder.token === token) {
      await unlink(path).catch(() => undefined);
    }
  }

  return {
    async withLock<T>(name: string, action: () => Promise<T>): Promise<T> {
      const previous = queues.get(name) ?? Promise.resolve();
      const run = previous.then(async () => {
        const token = await acquire(name);
        try {
          return await action();
        } finally {
          await release(name, token);
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
  };
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return true;
}

async function readLock(path: string): Promise<LockContent | { mtimeMs: number } | 'absent'> {
  try {
    const text = await readFile(path, 'utf8');
    const parsed = parseLock(text);
    if (parsed) return parsed;
    return { mtimeMs: (await stat(path)).mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
}

function parseLock(text: string): LockContent | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockContent>;
    if (
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.token === 'string' &&
      typeof value.at === 'number'
    ) {
      return value as LockContent;
    }
  } catch {
    // Half-written lock file: judged by its age.
  }
  return undefined;
}

function sameHolder(
  a: LockContent | { mtimeMs: number },
  b: LockContent | { mtimeMs: number },
): boolean {
  if ('token' in a && 'token' in b) return a.token === b.token;
  if ('mtimeMs' in a && 'mtimeMs' in b) return a.mtimeMs === b.mtimeMs;
  return false;
}

/** Real wall-clock time in ms, unaffected by fake `Date` in tests (lock ages are real). */
function wallClock(): number {
  return performance.timeOrigin + performance.now();
}
