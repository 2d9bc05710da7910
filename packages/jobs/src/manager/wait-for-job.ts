import { ClosedError, InvalidArgumentError, NotFoundError } from '@sa/core';
import type { Timers } from '@sa/core';
import { isTerminalStatus } from '../job-record';
import type { JobRecord } from '../job-record';
import type { JobManagerOptions, WaitOptions } from '../job-manager-types';
import type { JobStore } from '../job-store';
import { onAbortShared } from './abort-listeners';
import { startBackgroundTimer } from './manager-timers';
import { isPermanentStoreError } from './retry-store-call';
import { assertJobId, assertScope } from '../validate-arguments';

/** What `waitForJob` needs from the manager. */
export interface WaitContext {
  store: JobStore;
  timers: Timers;
  /** Polling fallback interval (`JobManagerOptions.waitPollMs`). */
  pollMs: NonNullable<JobManagerOptions['waitPollMs']>;
  /** Subscribes to in-process notifications of a job's changes; returns an unsubscribe function. */
  watchLocal(id: string, listener: () => void): () => void;
  /** Aborts when the manager closes: pending waits then reject with `CLOSED`. */
  closeSignal: AbortSignal;
}

async function outputEnd(store: JobStore, id: string): Promise<number> {
  const [stdout, stderr] = await Promise.all([
    store.readOutput(id, 'stdout', { maxBytes: 1, offset: 0 }),
    store.readOutput(id, 'stderr', { maxBytes: 1, offset: 0 }),
  ]);
  return stdout.endOffset + stderr.endOffset;
}

function validateWaitOptions(id: unknown, options: WaitOptions): void {
  assertJobId(id);
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('Invalid options: expected { timeoutMs }', {
      data: { field: 'options' },
    });
  const { timeoutMs, until, scope, signal } = options;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0)
    throw new InvalidArgumentError(
      `Invalid timeoutMs: expected a number >= 0, got ${String(timeoutMs)}`,
      {
        data: { field: 'timeoutMs' },
      },
    );
  if (until !== undefined && until !== 'settled' && until !== 'change')
    throw new InvalidArgumentError(
      `Invalid until: expected "settled" or "change", got ${String(until)}`,
      {
        data: { field: 'until' },
      },
    );
  if (scope !== undefined) assertScope('scope', scope);
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new InvalidArgumentError('Invalid signal: expected an AbortSignal', {
      data: { field: 'signal' },
    });
}

/**
 * Resolves with the job's record once it is terminal (or, with `until: 'change'`, once its version
 * or output moved since the call), or at the timeout. Event driven (store hints and in-process
 * notifications), with a bounded polling fallback; it subscribes before its first read, so a
 * completion that happened before the call is never missed.
 */
export async function waitForJob(
  context: WaitContext,
  id: string,
  options: WaitOptions,
): Promise<JobRecord> {
  validateWaitOptions(id, options);
  const { signal } = options;
  signal?.throwIfAborted();
  if (context.closeSignal.aborted) throw new ClosedError('The job manager is closed');
  const until = options.until ?? 'settled';
  const getOptions = options.scope === undefined ? undefined : { scope: options.scope };
  const cleanups: (() => void)[] = [];
  let checking = false;
  let again = false;
  let outputHint = false;
  let last: JobRecord | undefined;
  let baseline: { version: number; output: number } | undefined;
  let finish: ((record: JobRecord) => void) | undefined;
  let fail: ((error: unknown) => void) | undefined;
  const done = new Promise<JobRecord>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  let settled = false;

  const conditionHolds = async (record: JobRecord, readOutput: boolean): Promise<boolean> => {
    if (isTerminalStatus(record.status)) return true;
    if (until === 'settled' || baseline === undefined) return false;
    if (record.version !== baseline.version) return true;
    if (!readOutput) return false;
    return (await outputEnd(context.store, id)) > baseline.output;
  };

  const check = async (readOutput: boolean): Promise<void> => {
    if (settled) return;
    if (checking) {
      again = true;
      outputHint ||= readOutput;
      return;
    }
    checking = true;
    try {
      do {
        again = false;
        const withOutput = readOutput || outputHint;
        outputHint = false;
        const record = await context.store.get(id, getOptions);
        if (settled) return;
        if (record === undefined) {
          fail?.(new NotFoundError(`Job ${id} not found (it was deleted while waiting)`));
          return;
        }
        last = record;
        if (await conditionHolds(record, withOutput)) {
          finish?.(record);
          return;
        }
      } while (again && !settled);
    } catch (error) {
      // A store that is closed or refuses the id will not recover: say so now. Other failed
      // reads (an outage) are retried by the next hint or poll; the timeout bounds the wait.
      if (isPermanentStoreError(error)) fail?.(error);
    } finally {
      checking = false;
    }
  };

  const hint = (readOutput: boolean): void => {
    void check(readOutput);
  };

  try {
    cleanups.push(
      context.store.subscribe(
        (event) => {
          if (event.type === 'deleted') {
            if (!settled)
              fail?.(new NotFoundError(`Job ${id} not found (it was deleted while waiting)`));
            return;
          }
          hint(event.type === 'output');
        },
        { id },
      ),
    );
    cleanups.push(context.watchLocal(id, () => hint(false)));
    const record = await context.store.get(id, getOptions);
    if (record === undefined) throw new NotFoundError(`Job ${id} not found`);
    last = record;
    if (isTerminalStatus(record.status)) return record;
    if (until === 'change')
      baseline = { version: record.version, output: await outputEnd(context.store, id) };
    if (options.timeoutMs === 0) return (await context.store.get(id, getOptions)) ?? record;

    // One shared listener per signal however many waits are pending (no MaxListeners warning).
    cleanups.push(
      onAbortShared(context.closeSignal, () =>
        fail?.(new ClosedError('The job manager closed while waiting')),
      ),
    );
    if (signal !== undefined) cleanups.push(onAbortShared(signal, () => fail?.(signal.reason)));
    const timeout = startBackgroundTimer(
      context.timers,
      () => {
        void context.store
          .get(id, getOptions)
          .then((current) => finish?.(current ?? last ?? record))
          .catch(() => finish?.(last ?? record));
      },
      Math.min(options.timeoutMs, 2_147_483_647),
    );
    cleanups.push(() => context.timers.clearTimeout(timeout));
    let poll: unknown;
    const schedulePoll = (): void => {
      poll = startBackgroundTimer(
        context.timers,
        () => {
          hint(true);
          schedulePoll();
        },
        context.pollMs,
      );
    };
    schedulePoll();
    cleanups.push(() => context.timers.clearTimeout(poll));
    // Anything that changed between the subscription and now is caught by this check.
    hint(true);
    return await done;
  } finally {
    settled = true;
    for (const cleanup of cleanups) cleanup();
  }
}
