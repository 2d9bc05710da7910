import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';

/** The outcome of `acquireSupervisorLock`. */
export type SupervisorLock =
  { acquired: true; release(): void; stillHeld(): boolean } | { acquired: false; heldBy: number };

/** `<pid> <start time>`: the start time (from `/proc`) tells a live owner from a reused pid. */
function ownerText(pid: number): string {
  return `${pid} ${processStartTicks(pid) ?? '-'}\n`;
}

/** The kernel's start time of a process (Linux), or null where unknown. */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** True while the process that wrote `text` (see `ownerText`) still runs. */
function ownerAlive(text: string): number | undefined {
  const [pidText, ticks] = text.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  if (ticks !== undefined && ticks !== '-') {
    const current = processStartTicks(pid);
    if (current !== null && current !== ticks) return undefined;
  }
  return pid;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Takes the one-supervisor-per-store lock: a file created exclusively, holding this process's
 * pid and start time. A lock whose owner died is broken by renaming it aside (atomic, so two
 * processes breaking it at once cannot both win) and checking that what was renamed is the dead
 * owner's; a live owner's lock is never taken.
 *
 * @example
 * const lock = acquireSupervisorLock(paths.lock);
 * if (!lock.acquired) process.exit(3); // another supervisor runs: lock.heldBy
 */
export function acquireSupervisorLock(path: string): SupervisorLock {
  const mine = ownerText(process.pid);
  for (let attempt = 0; attempt < 10; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      return {
        acquired: true,
        release: () => {
          if (readOrEmpty(path) === mine) rmSync(path, { force: true });
        },
        stillHeld: () => readOrEmpty(path) === mine,
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const seen = readOrEmpty(path);
    const owner = ownerAlive(seen);
    if (owner !== undefined) return { acquired: false, heldBy: owner };
    if (seen === '') continue; // being written right now, or just removed: look again
    const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(path, aside);
    } catch {
      continue; // someone else moved it first
    }
    const moved = readOrEmpty(aside);
    if (moved !== seen) {
      // We moved a fresh lock of another supervisor: put it back unless a newer one exists.
      try {
        linkSync(aside, path);
      } catch {
        // a newer lock is in place already
      }
    }
    rmSync(aside, { force: true });
  }
  const owner = ownerAlive(readOrEmpty(path));
  return { acquired: false, heldBy: owner ?? -1 };
}
