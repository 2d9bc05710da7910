import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** This machine's host name, as stored in `owner.host` and in lock files. */
export const currentHost = hostname();

/**
 * True only when `pid` on `host` is known to be dead: the host is this one and the process is
 * gone (`process.kill(pid, 0)` fails with `ESRCH`) or is a zombie that its parent has not
 * reaped yet (a `kill -9`ed server whose parent is slow to wait on it). Unknown (another host,
 * no permission) is false.
 */
export function isProcessKnownDead(pid: number, host: string): boolean {
  if (host !== currentHost || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const state = processStat(pid)?.[0];
  return state === 'Z' || state === 'X';
}

/**
 * The start time of process `pid` on this host (Linux: field 22 of `/proc/<pid>/stat`), or
 * undefined where it cannot be read. Tells a live owner from a later process that reused its pid.
 */
export function processStartTime(pid: number): string | undefined {
  return processStat(pid)?.[19];
}

/** The fields of `/proc/<pid>/stat` after the command name (state first), or undefined. */
function processStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}
