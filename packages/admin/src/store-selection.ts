import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import envPaths from 'env-paths';
import { InvalidArgumentError, isSaError, SaError } from '@sa/core';
import type { JobStore } from '@sa/jobs';
import { createFileJobStore } from '@sa/jobs';
import { echo } from './admin-error';

/** The stores `sa-jobs` can open. */
export const adminStoreKinds = ['file', 'redis', 'postgres'] as const;

/** One of `adminStoreKinds`. */
export type AdminStoreKind = (typeof adminStoreKinds)[number];

/** Which store to open: the same settings (and environment variables) as the example server. */
export interface StoreSelection {
  /** `file` (default), `redis` or `postgres` (env `SA_STORE`). */
  store?: AdminStoreKind;
  /** The file store lives in `<dataDirectory>/jobs` (env `SA_DATA_DIR`; default `defaultDataDirectory()`). */
  dataDirectory?: string;
  /** File store: its directory (path or `file:` URL); Redis or PostgreSQL: the server URL (env `SA_STORE_URL`). */
  storeUrl?: string;
  /** Redis key prefix (default `sa:jobs:`) or PostgreSQL schema (default `sa_jobs`) (env `SA_STORE_PREFIX`). */
  storePrefix?: string;
  /** Give up connecting to Redis or PostgreSQL after this (default 5000 ms). */
  connectTimeoutMs?: number;
}

/**
 * The example server's default data directory (`env-paths('sa-python-runner')`, e.g.
 * `~/.local/share/sa-python-runner` on Linux): its file store is `<that>/jobs`.
 */
export function defaultDataDirectory(): string {
  return envPaths('sa-python-runner', { suffix: '' }).data;
}

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

/** The file store's directory a selection names. */
export function fileStoreDirectory(selection: StoreSelection): string {
  if (selection.storeUrl !== undefined && selection.storeUrl !== '')
    return selection.storeUrl.startsWith('file:')
      ? fileURLToPath(selection.storeUrl)
      : selection.storeUrl;
  return join(selection.dataDirectory ?? defaultDataDirectory(), 'jobs');
}

/** Throws `INVALID_ARGUMENT` naming the setting unless the selection is usable. */
function checkSelection(selection: StoreSelection): AdminStoreKind {
  const kind = selection.store ?? 'file';
  if (!adminStoreKinds.includes(kind))
    throw new InvalidArgumentError(
      `--store must be one of ${adminStoreKinds.join(', ')}, not ${echo(kind)}`,
    );
  if (kind === 'file') {
    if (selection.storePrefix !== undefined)
      throw new InvalidArgumentError(
        '--store-prefix applies to the redis and postgres stores only',
      );
    return kind;
  }
  const protocols = kind === 'redis' ? ['redis:', 'rediss:'] : ['postgres:', 'postgresql:'];
  const example =
    kind === 'redis' ? 'redis://127.0.0.1:6379' : 'postgres://postgres@127.0.0.1:5432/app';
  if (selection.storeUrl === undefined || selection.storeUrl === '')
    throw new InvalidArgumentError(
      `--store ${kind} needs --store-url (or SA_STORE_URL), e.g. ${example}`,
    );
  let protocol: string;
  try {
    protocol = new URL(selection.storeUrl).protocol;
  } catch {
    throw new InvalidArgumentError(
      `--store-url for the ${kind} store is not a URL: ${echo(redactStoreUrl(selection.storeUrl))} (e.g. ${example})`,
    );
  }
  if (!protocols.includes(protocol))
    throw new InvalidArgumentError(
      `--store-url for the ${kind} store must start with ${protocols.map((name) => `${name}//`).join(' or ')}, not ${protocol}//`,
    );
  if (
    kind === 'postgres' &&
    selection.storePrefix !== undefined &&
    !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(selection.storePrefix)
  )
    throw new InvalidArgumentError(
      `--store-prefix for postgres is a schema name (letters, digits, _), not ${echo(selection.storePrefix)}`,
    );
  return kind;
}

/**
 * Opens the store a selection names, through `@sa/jobs`'s public factories (the drivers are
 * loaded only for their store). A file store must exist already (nothing is created by a
 * look); a store that cannot be reached rejects with `STORE_UNAVAILABLE` naming it (password
 * hidden); a bad setting with `INVALID_ARGUMENT`.
 *
 * @example
 * const store = await openStore({ store: 'redis', storeUrl: 'redis://127.0.0.1:6379' });
 */
export async function openStore(selection: StoreSelection = {}): Promise<JobStore> {
  const kind = checkSelection(selection);
  const warn = { warn: (message: string) => process.stderr.write(`${message}\n`) };
  if (kind === 'file') {
    const directory = fileStoreDirectory(selection);
    const records = join(directory, 'records');
    if (!existsSync(records) || !statSync(records).isDirectory())
      throw new SaError(
        'STORE_UNAVAILABLE',
        `no job store at ${directory} (give --data-dir, or --store-url for the store's directory)`,
      );
    return createFileJobStore({ directory, logger: warn });
  }
  const url = selection.storeUrl ?? '';
  const connectTimeoutMs = selection.connectTimeoutMs ?? 5000;
  try {
    if (kind === 'redis') {
      const { createRedisJobStore } = await import('@sa/jobs/redis');
      return await createRedisJobStore({
        url,
        prefix: selection.storePrefix,
        connectTimeoutMs,
        logger: warn,
      });
    }
    const { createPostgresJobStore } = await import('@sa/jobs/postgres');
    return await createPostgresJobStore({
      connectionString: url,
      schema: selection.storePrefix,
      connectTimeoutMs,
      logger: warn,
    });
  } catch (error) {
    if (isSaError(error, 'INVALID_ARGUMENT')) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new SaError(
      'STORE_UNAVAILABLE',
      `could not open the ${kind} store at ${redactStoreUrl(url)}: ${reason}`,
      { cause: error },
    );
  }
}
