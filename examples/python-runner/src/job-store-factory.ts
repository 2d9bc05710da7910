import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSaError, SaError } from '@sa/core';
import type { JobStore } from '@sa/jobs';
import { createFileJobStore, createMemoryJobStore } from '@sa/jobs';
import type { PythonRunnerConfig } from './config';
import type { Logger } from './logger';

/** A store URL with its password hidden, for messages. */
export function redactStoreUrl(storeUrl: string): string {
  try {
    const url = new URL(storeUrl);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return storeUrl;
  }
}

/**
 * Opens the job store the configuration names: `file` (default, `<data-dir>/jobs` or
 * `--store-url`), `memory`, `redis` or `postgres` (at `--store-url`, drivers loaded only then).
 * A server store that cannot be reached rejects with `STORE_UNAVAILABLE` naming the store.
 */
export async function createConfiguredJobStore(
  config: PythonRunnerConfig,
  logger: Logger,
): Promise<JobStore> {
  // The store keeps a little more than the runner, so the truncation notice is kept too.
  const maxOutputBytes = config.maxOutputBytes + 64 * 1024;
  const warn = { warn: (message: string) => logger.warn(message) };
  if (config.store === 'memory') return createMemoryJobStore({ maxOutputBytes });
  if (config.store === 'redis' || config.store === 'postgres') {
    const url = config.storeUrl ?? '';
    try {
      if (config.store === 'redis') {
        const { createRedisJobStore } = await import('@sa/jobs/redis');
        return await createRedisJobStore({
          url,
          prefix: config.storePrefix,
          maxOutputBytes,
          logger: warn,
        });
      }
      const { createPostgresJobStore } = await import('@sa/jobs/postgres');
      return await createPostgresJobStore({
        connectionString: url,
        schema: config.storePrefix,
        maxOutputBytes,
        logger: warn,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SaError(
        isSaError(error) && error.code === 'INVALID_ARGUMENT'
          ? 'INVALID_ARGUMENT'
          : 'STORE_UNAVAILABLE',
        `could not open the ${config.store} store at ${redactStoreUrl(url)}: ${reason}`,
        { cause: error },
      );
    }
  }
  const directory = config.storeUrl
    ? config.storeUrl.startsWith('file:')
      ? fileURLToPath(config.storeUrl)
      : config.storeUrl
    : join(config.dataDirectory, 'jobs');
  return createFileJobStore({ directory, maxOutputBytes, logger });
}
