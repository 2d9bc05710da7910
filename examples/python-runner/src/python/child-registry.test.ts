import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../testing/is-alive';
import { createChildRegistry } from './child-registry';

/** The pid of a process that has exited (the owner of a registry entry, "a server that died"). */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? -1;
}

async function startTicksOf(pid: number): Promise<string | null> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

describe.runIf(process.platform === 'linux')('createChildRegistry().reapOrphans', () => {
  it('counts only the process groups it actually ended', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sa-children-'));
    await mkdir(directory, { recursive: true });
    const owner = await deadPid();
    // Entries of children that are long gone, as a crashed server leaves them.
    for (const pid of [await deadPid(), await deadPid(), await deadPid()])
      await writeFile(
        join(directory, `${owner}-${pid}.json`),
        JSON.stringify({ ownerPid: owner, pid, startTicks: '1' }),
      );
    // And one orphan that is still alive.
    const orphan = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    orphan.unref();
    const orphanPid = orphan.pid ?? -1;
    await writeFile(
      join(directory, `${owner}-${orphanPid}.json`),
      JSON.stringify({
        ownerPid: owner,
        pid: orphanPid,
        startTicks: await startTicksOf(orphanPid),
      }),
    );
    const exited = new Promise((resolve) => orphan.once('exit', resolve));

    const reaped = await createChildRegistry(directory).reapOrphans();

    expect(reaped).toEqual([orphanPid]);
    await exited;
    expect(isAlive(orphanPid)).toBe(false);
    expect(await readdir(directory)).toEqual([]);
    // A second server start finds nothing left to end.
    expect(await createChildRegistry(directory).reapOrphans()).toEqual([]);
  });
});
