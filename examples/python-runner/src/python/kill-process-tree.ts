import treeKill from 'tree-kill';

/**
 * Kills a child started with `detached: true` and everything it spawned: its process group
 * (frozen first so it cannot fork away), descendants that left the group, then the group again.
 * Resolves true when the group still had a process to end.
 */
export async function killProcessTree(pid: number): Promise<boolean> {
  const alive = signalGroup(pid, 'SIGSTOP');
  await new Promise<void>((resolve) => {
    treeKill(pid, 'SIGKILL', () => resolve());
  });
  signalGroup(pid, 'SIGKILL');
  return alive;
}

/**
 * Sends `signal` to the process group led by `pid`; true when it reached a process, false when
 * the group is gone (not an error).
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    // ESRCH: the group has no members left.
    return false;
  }
}
