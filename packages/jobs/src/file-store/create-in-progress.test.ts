import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFileLocks } from './file-lock';
import { createFileJobStore } from './file-job-store';
import { createTemporaryDirectory, newJob } from './test-helpers';

let directory: string;
let remove: () => Promise<void>;

beforeEach(async () => {
  ({ directory, remove } = await createTemporaryDirectory());
});
afterEach(() => remove());

describe('a record file being created', () => {
  // A create writes the new record under its own name while holding the job's lock: a reader
  // in another process can see the file empty for a moment, and must wait, not quarantine it.
  it('is read once its writer releases the lock, never quarantined', async () => {
    const warn = vi.fn();
    const store = createFileJobStore({ directory, logger: { warn } });
    const job = await store.create(newJob({ label: 'in progress' }));
    const path = join(directory, 'records', `${job.id}.json`);
    const content = await readFile(path, 'utf8');
    // Another process's locks on the same folder, standing in for the creating process.
    const writerLocks = createFileLocks({ directory: join(directory, 'locks') });
    let reading: Promise<unknown> | undefined;
    await writerLocks.withLock(job.id, async () => {
      await writeFile(path, '');
      reading = store.get(job.id);
      await new Promise((resolve) => setTimeout(resolve, 30));
      await writeFile(path, content);
    });
    expect(await reading).toMatchObject({ id: job.id, label: 'in progress' });
    expect(await readdir(directory)).not.toContain('quarantine');
    expect(warn).not.toHaveBeenCalled();
    await writerLocks.close();
    await store.close();
  });

  it('refuses a second create of the same id and keeps the first record', async () => {
    const store = createFileJobStore({ directory });
    const first = await store.create(newJob({ id: 'job-0000000000000000000001', label: 'first' }));
    await expect(
      store.create(newJob({ id: 'job-0000000000000000000001', label: 'second' })),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await store.get(first.id))?.label).toBe('first');
    await store.close();
  });
});
