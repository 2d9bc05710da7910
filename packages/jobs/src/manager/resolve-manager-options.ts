import { InvalidArgumentError } from '@sa/core';
import type { JobManagerOptions } from '../job-manager-types';
import type { JobStore } from '../job-store';
import { assertInteger, assertPositiveDuration } from '../validate-arguments';

const day = 24 * 60 * 60 * 1000;

/** Manager options with defaults filled in. */
export interface ResolvedManagerOptions {
  store: JobStore;
  leaseMs: number;
  heartbeatMs: number;
  concurrency: number;
  reapIntervalMs: number;
  pruneIntervalMs: number;
  waitPollMs: number;
  retention: Record<'completed' | 'failed' | 'cancelled' | 'interrupted', number | null>;
  logger: { warn(message: string): void };
}

/** Validates `createJobManager` options (errors name the option) and fills in defaults. */
export function resolveManagerOptions(options: JobManagerOptions): ResolvedManagerOptions {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('createJobManager needs an options object with a store', {
      data: { field: 'options' },
    });
  const { store } = options;
  if (typeof store !== 'object' || store === null || typeof store.create !== 'function')
    throw new InvalidArgumentError('Invalid store: expected a JobStore', {
      data: { field: 'store' },
    });
  const leaseMs = options.leaseMs ?? 15_000;
  assertPositiveDuration('leaseMs', leaseMs);
  const heartbeatMs = options.heartbeatMs ?? Math.min(5000, Math.floor(leaseMs / 3));
  assertPositiveDuration('heartbeatMs', heartbeatMs);
  if (heartbeatMs >= leaseMs)
    throw new InvalidArgumentError(
      `Invalid heartbeatMs: ${heartbeatMs} must be shorter than leaseMs (${leaseMs}), or leases expire between heartbeats`,
      { data: { field: 'heartbeatMs' } },
    );
  const concurrency = options.concurrency ?? 4;
  assertInteger('concurrency', concurrency, { min: 1 });
  const reapIntervalMs = options.reapIntervalMs ?? leaseMs;
  assertPositiveDuration('reapIntervalMs', reapIntervalMs);
  const waitPollMs = options.waitPollMs ?? 250;
  assertPositiveDuration('waitPollMs', waitPollMs);
  const retentionOption = options.retention ?? {};
  const pruneIntervalMs = retentionOption.pruneIntervalMs ?? 60_000;
  assertPositiveDuration('retention.pruneIntervalMs', pruneIntervalMs);
  const retention = {} as ResolvedManagerOptions['retention'];
  for (const status of ['completed', 'failed', 'cancelled', 'interrupted'] as const) {
    const value = retentionOption[status];
    if (value === null) retention[status] = null;
    else {
      const keep = value ?? day;
      if (typeof keep !== 'number' || !Number.isFinite(keep) || keep < 0)
        throw new InvalidArgumentError(
          `Invalid retention.${status}: expected milliseconds >= 0 or null, got ${String(keep)}`,
          { data: { field: `retention.${status}` } },
        );
      retention[status] = keep;
    }
  }
  const logger = options.logger ?? { warn: (message: string) => console.warn(message) };
  if (typeof logger.warn !== 'function')
    throw new InvalidArgumentError('Invalid logger: expected { warn(message) }', {
      data: { field: 'logger' },
    });
  return {
    store,
    leaseMs,
    heartbeatMs,
    concurrency,
    reapIntervalMs,
    pruneIntervalMs,
    waitPollMs,
    retention,
    logger,
  };
}
