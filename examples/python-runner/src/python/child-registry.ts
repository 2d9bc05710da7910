import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { killProcessTree, signalGroup } from './kill-process-tree';

/** Remembers the process groups this server started, so a later server can end them after a crash. */
export interface ChildRegistry {
  /** Records a child (its own process group leader); returns the function that forgets it. */
  register(pid: number): () => Promise<void>;
  /**
   * Kills the process groups left by server processes that died (e.g. `kill -9`); returns the
   * pids of the groups that still had a process to end (not every entry found).
   */
  reapOrphans(): Promise<number[]>;
}

interface ChildEntry {
  ownerPid: number;
  pid: number;
  startTicks: string | null;
}

/**
 * Creates a registry of children under `directory` (one small file per child). Linux only in
 * effect (start times from `/proc` guard against pid reuse); elsewhere it records nothing.
 *
 * @example
 * const registry = createChildRegistry(join(dataDirectory, 'children'));
 * await registry.reapOrphans(); // at start-up
 */
export function createChildRegistry(directory: string): ChildRegistry {
  let ready: Promise<void> | undefined;
  const ensureDirectory = (): Promise<void> =>
    (ready ??= mkdir(directory, { recursive: true }).then(() => undefined));

  return {
    register(pid) {
      const file = join(directory, `${process.pid}-${pid}.json`);
      const written = (async () => {
        await ensureDirectory();
        const entry: ChildEntry = {
          ownerPid: process.pid,
          pid,
          startTicks: await startTicksOf(pid),
        };
        await writeFile(file, JSON.stringify(entry));
      })().catch(() => undefined);
      return async () => {
        await written;
        await rm(file, { force: true });
      };
    },
    async reapOrphans() {
      let names: string[];
      try {
        names = await readdir(directory);
      } catch {
        return [];
      }
      const reaped: number[] = [];
      for (const name of names) {
        if (!name.endsWith('.json')) continue;
        const file = join(directory, name);
        let entry: ChildEntry;
        try {
          entry = JSON.parse(await readFile(file, 'utf8')) as ChildEntry;
        } catch {
          await rm(file, { force: true });
          continue;
        }
        if (entry.ownerPid === process.pid || isAlive(entry.ownerPid)) continue;
        const ticks = await startTicksOf(entry.pid);
        if (ticks === null) {
          // The leader is gone; its group id cannot be reused while members remain.
          if (signalGroup(entry.pid, 'SIGKILL')) reaped.push(entry.pid);
        } else if (ticks === entry.startTicks) {
          if (await killProcessTree(entry.pid)) reaped.push(entry.pid);
        }
        await rm(file, { force: true });
      }
      return reaped;
    },
  };
}

async function startTicksOf(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (start time), counted after the command name in parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
