import { InvalidArgumentError, maxTimerDelayMs } from '@sa/core';

/**
 * The longest duration any tool parameter (`timeout_seconds`, `sample_interval`) or duration
 * option may give, seconds: `@sa/core`'s `maxTimerDelayMs` (Node's largest timer delay, about
 * 24.8 days) in whole seconds. Longer values are refused, never wrapped to a 1 ms timer.
 */
export const maxDurationSeconds = Math.floor(maxTimerDelayMs / 1000);

/** The shortest `sample_interval`, seconds: sampling `/proc` faster only burns CPU. */
export const minSampleIntervalSeconds = 0.01;

/** The message of a duration over `maxDurationSeconds`, naming the field and the limit. */
export function durationTooLongMessage(field: string): string {
  return `${field} must be at most ${maxDurationSeconds} seconds (about 24.8 days, the longest timer Node.js can set)`;
}

/**
 * Throws `INVALID_ARGUMENT` naming `field` unless `seconds` is a finite number from `min`
 * to `maxDurationSeconds`.
 *
 * @example
 * assertDurationSeconds('timeout_seconds', 1e9); // throws: timeout_seconds must be at most 2147483 seconds ...
 */
export function assertDurationSeconds(
  field: string,
  seconds: unknown,
  min = 0,
): asserts seconds is number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < min)
    throw new InvalidArgumentError(`${field} must be a number of seconds >= ${min}`, {
      data: { field },
    });
  if (seconds > maxDurationSeconds)
    throw new InvalidArgumentError(durationTooLongMessage(field), { data: { field } });
}
