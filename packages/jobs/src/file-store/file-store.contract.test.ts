import { afterAll } from 'vitest';
import { describeJobStoreContract } from '../testing';
import { createFileJobStore } from './file-job-store';
import { createTemporaryDirectory } from './test-helpers';

const removals: Array<() => Promise<void>> = [];
afterAll(() => Promise.all(removals.map((remove) => remove())));

describeJobStoreContract('file', async ({ clock, maxOutputBytes }) => {
  const { directory, remove } = await createTemporaryDirectory();
  removals.push(remove);
  return createFileJobStore({ directory, clock, maxOutputBytes });
});
