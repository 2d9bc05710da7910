import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobStore } from '@sa/jobs';
import { createFileJobStore, createMemoryJobStore } from '@sa/jobs';
import type { PythonRunnerConfig } from './config';
import type { Logger } from './logger';

/** The job store the configuration names: `file` (default, `<data-dir>/jobs` or `--store-url`) or `memory`. */
export function createConfiguredJobStore(config: PythonRunnerConfig, logger: Logger): JobStore {
  // The store keeps a little more than the runner, so the truncation notice is kept too.
  const maxOutputBytes = config.maxOutputBytes + 64 * 1024;
  if (config.store === 'memory') return createMemoryJobStore({ maxOutputBytes });
  const directory = config.storeUrl
    ? config.storeUrl.startsWith('file:')
      ? fileURLToPath(config.storeUrl)
      : config.storeUrl
    : join(config.dataDirectory, 'jobs');
  return createFileJobStore({ directory, maxOutputBytes, logger });
}
