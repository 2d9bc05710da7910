import { spawnSync } from 'node:child_process';
import { link, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSaError } from '@sa/core';
import { createFileLocks } from './file-lock';
import { createTemporaryDirectory } from './test-helpers';

let directory: string;
let remove: () => Promise<void>;

beforeEach(async () => {
  ({ directory, remove } = await createTemporaryDirectory());
});
afterEach(() => remove());

function deadPid(): number {
  return Number(
    spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString(),
  );
}

describe('createFileLocks', () => {
  it('runs holders of one name one at a time and frees the name afterwards', async () => {
    const locks = createFileLocks({ directory });
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        locks.withLock('job', async () => {
          inside += 1;
          most = Math.max(most, inside);
          await new Promise((resolve) => setImmediate(resolve));
          inside -= 1;
        }),
      ),
    );
    expect(most).toBe(1);
    expect((await readdir(directory)).filter((name) => name.endsWith('.lock'))).toEqual([]);
    await locks.close();
    expect(await readdir(directory)).toEqual([]);
  });

  it('excludes another holder of the same name with its own owner file (another process)', async () => {
    const first = createFileLocks({ directory });
    const second = createFileLocks({ directory, timeoutMs: 200 });
    await first.withLock('job', async () => {
      await expect(second.withLock('job', () => Promise.resolve('never'))).rejects.toSatisfy(
        (error) => isSaError(error, 'STORE_UNAVAILABLE'),
      );
    });
    expect(await second.withLock('job', () => Promise.resolve('now'))).toBe('now');
    await Promise.all([first.close(), second.close()]);
  });

  it('breaks at once a lock left by a dead process on this host', async () => {
    const ownerPath = join(directory, 'owner-dead.json');
    await writeFile(
      ownerPath,
      JSON.stringify({ pid: deadPid(), host: hostname(), token: 'dead', startTime: undefined }),
    );
    await link(ownerPath, join(directory, 'job.lock'));
    const locks = createFileLocks({ directory, timeoutMs: 2000 });
    expect(await locks.withLock('job', () => Promise.resolve('taken'))).toBe('taken');
    await locks.close();
    // The dead process's owner file was cleaned up too.
    expect(await readdir(directory)).toEqual([]);
  });

  it('waits for (and never breaks) a lock of a live process on this host', async () => {
    const ownerPath = join(directory, 'owner-alive.json');
    await writeFile(
      ownerPath,
      JSON.stringify({ pid: process.pid, host: hostname(), token: 'alive', startTime: undefined }),
    );
    await link(ownerPath, join(directory, 'job.lock'));
    const locks = createFileLocks({ directory, timeoutMs: 150 });
    await expect(locks.withLock('job', () => Promise.resolve())).rejects.toThrow(
      /could not take the lock/,
    );
    await locks.close();
  });
});
