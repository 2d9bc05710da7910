import treeKill from 'tree-kill';

/**
 * Kills a child started with `detached: true` and everything it spawned: its process group
 * (frozen first so it cannot fork away), descendants that left the group, then the group again.
 */
export async function killProcessTree(pid: number): Promise<void> {
  signalGroup(pid, 'SIGSTOP');
  await new Promise<void>((resolve) => {
    treeKill(pid, 'SIGKILL', () => resolve());
  });
  signalGroup(pid, 'SIGKILL');
}

/** Sends `signal` to the process group led by `pid`; a group already gone is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group has no members left.
  }
}
