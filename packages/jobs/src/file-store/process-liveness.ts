import { hostname } from 'node:os';

/** This machine's host name, as stored in `owner.host` and in lock files. */
export const currentHost = hostname();

/**
 * True only when `pid` on `host` is known to be dead: the host is this one and
 * `process.kill(pid, 0)` fails with `ESRCH`. Unknown (another host, no permission) is false.
 */
export function isProcessKnownDead(pid: number, host: string): boolean {
  if (host !== currentHost || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
