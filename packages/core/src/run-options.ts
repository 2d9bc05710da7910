import { defaultNow, defaultTimers } from './default-timers';
import { InvalidArgumentError } from './errors';
import type { RunWithBudgetOptions, Timers } from './types';
import {
  assertDuration,
  assertFunction,
  assertOptionalDuration,
  assertOptionalFunction,
  assertOptionalSignal,
  assertOptionalTimers,
  describeValue,
} from './validate';

/** `RunWithBudgetOptions` checked, with defaults filled in. */
export interface CheckedRunOptions {
  budgetMs: number;
  signal: AbortSignal | undefined;
  onRequestAbort: 'cancel' | 'promote';
  timers: Timers;
  now: () => number;
  onProgress: RunWithBudgetOptions['onProgress'];
  progressIntervalMs: number | undefined;
}

/** Checks the arguments of a `runWithBudget` call; throws `InvalidArgumentError` naming the bad one. */
export function checkRunOptions(
  work: unknown,
  options: RunWithBudgetOptions,
  defaults?: { timers?: Timers | undefined; now?: (() => number) | undefined },
): CheckedRunOptions {
  assertFunction('work', work);
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(
      `runWithBudget needs an options object with budgetMs, got ${describeValue(options)}`,
    );
  }
  const { budgetMs, signal, onRequestAbort, timers, now, onProgress, progressIntervalMs } = options;
  assertDuration('budgetMs', budgetMs);
  assertOptionalSignal('signal', signal);
  if (onRequestAbort !== undefined && onRequestAbort !== 'cancel' && onRequestAbort !== 'promote') {
    throw new InvalidArgumentError(
      `onRequestAbort must be 'cancel' or 'promote', got ${describeValue(onRequestAbort)}`,
    );
  }
  assertOptionalTimers('timers', timers);
  assertOptionalFunction('now', now);
  assertOptionalFunction('onProgress', onProgress);
  assertOptionalDuration('progressIntervalMs', progressIntervalMs);
  return {
    budgetMs,
    signal,
    onRequestAbort: onRequestAbort ?? 'cancel',
    timers: timers ?? defaults?.timers ?? defaultTimers,
    now: now ?? defaults?.now ?? defaultNow,
    onProgress,
    progressIntervalMs,
  };
}
