import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireSupervisorLock, processStartTicks } from './supervisor-lock';

const directories: string[] = [];

afterEach(async () => {
  for (const directory of directories.splice(0))
    await rm(directory, { recursive: true, force: true });
});

async function lockPath(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'sa-lock-'));
  directories.push(directory);
  return join(directory, 'supervisor.lock');
}

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('acquireSupervisorLock', () => {
  it('takes a free lock, refuses a second taker naming the holder, and frees it on release', async () => {
    const path = await lockPath();
    const first = acquireSupervisorLock(path);
    expect(first.acquired).toBe(true);
    expect(await readFile(path, 'utf8')).toBe(
      `${process.pid} ${processStartTicks(process.pid) ?? '-'}\n`,
    );
    expect(acquireSupervisorLock(path)).toEqual({ acquired: false, heldBy: process.pid });
    if (first.acquired) {
      expect(first.stillHeld()).toBe(true);
      first.release();
      expect(first.stillHeld()).toBe(false);
    }
    const again = acquireSupervisorLock(path);
    expect(again.acquired).toBe(true);
    if (again.acquired) again.release();
  });

  it('breaks the lock of a process that died', async () => {
    const path = await lockPath();
    await writeFile(path, `${await deadPid()} 1\n`);
    const lock = acquireSupervisorLock(path);
    expect(lock.acquired).toBe(true);
    if (lock.acquired) lock.release();
  });

  it('breaks the lock of a reused pid (same pid, other start time)', async () => {
    const path = await lockPath();
    await writeFile(path, `${process.pid} 1\n`);
    const lock = acquireSupervisorLock(path);
    expect(lock.acquired).toBe(processStartTicks(process.pid) !== null);
    if (lock.acquired) lock.release();
  });
});
