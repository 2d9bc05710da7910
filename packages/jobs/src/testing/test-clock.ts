/** A clock a test controls: `now()` only moves when the test calls `advance` or `set`. */
export interface TestClock {
  /** The current time, epoch milliseconds. */
  now(): number;
  /** Moves the clock forward by `ms` (>= 0). */
  advance(ms: number): void;
  /** Sets the clock to `time` (epoch milliseconds). */
  set(time: number): void;
}

/**
 * A controllable clock for stores and managers under test (default start: 2026-01-01T00:00:00Z).
 *
 * @example
 * const clock = createTestClock();
 * const store = createMemoryJobStore({ clock });
 * clock.advance(30_000);
 */
export function createTestClock(start = Date.UTC(2026, 0, 1)): TestClock {
  let time = start;
  return {
    now: () => time,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new RangeError(`advance(ms): expected ms >= 0, got ${ms}`);
      time += ms;
    },
    set(value) {
      time = value;
    },
  };
}
