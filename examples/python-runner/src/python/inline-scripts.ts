import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Deletes inline scripts left behind (by a crash): never those of runs still going in this
 * process (`active`), nor those of other live server processes (the pid is in the name).
 * Returns how many it deleted.
 */
export async function removeLeftoverInlineScripts(
  directory: string,
  active: ReadonlySet<string>,
): Promise<number> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return 0;
  }
  const leftovers = names.filter((name) => {
    const match = /^inline-(\d+)-[0-9a-f]+\.py$/.exec(name);
    if (!match) return false;
    const owner = Number(match[1]);
    if (owner === process.pid) return !active.has(join(directory, name));
    return !isProcessAlive(owner);
  });
  await Promise.all(leftovers.map((name) => rm(join(directory, name), { force: true })));
  return leftovers.length;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
