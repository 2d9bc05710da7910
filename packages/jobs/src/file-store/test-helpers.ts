import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewJob } from '../job-store';

/** A fresh temp folder for one test, and a function that removes it. */
export async function createTemporaryDirectory(): Promise<{
  directory: string;
  remove: () => Promise<void>;
}> {
  const directory = await mkdtemp(join(tmpdir(), 'sa-file-store-'));
  return { directory, remove: () => rm(directory, { recursive: true, force: true }) };
}

/** A `NewJob` with sensible defaults, overridable per test. */
export function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    label: 'label',
    tool: 'tool',
    status: 'pending',
    scope: null,
    owner: null,
    leaseToken: null,
    ...overrides,
  };
}
