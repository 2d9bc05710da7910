import type { JobOwner } from '../job-record';
import type { JobStore, NewJob } from '../job-store';
import type { TestClock } from './test-clock';

/** What the contract suite hands the store factory. */
export interface JobStoreContractContext {
  /** A controllable clock: pass it to the store when its clock can be injected. */
  clock: TestClock;
  /** The output bound the store must use for each job stream (small, so bounds are testable). */
  maxOutputBytes: number;
}

/** Options of `describeJobStoreContract`. */
export interface JobStoreContractOptions {
  /**
   * `injected` (default): the store takes its time from `context.clock`, so the suite checks
   * exact times and expires leases by advancing the clock. `server`: the store has its own clock
   * (Redis `TIME`, PostgreSQL `now()`): those tests are skipped and the rest use explicit times
   * (`reapExpired({ now })`, `prune({ olderThan })`).
   */
  clock?: 'injected' | 'server';
  /** Per-test timeout in milliseconds (default 10 s). */
  timeoutMs?: number;
  /** How many concurrent callers race in compare-and-set tests (default 8). */
  raceSize?: number;
  /** Called after each test's store is closed (e.g. to drop a schema). */
  cleanup?: () => Promise<void> | void;
}

/** What each group of contract tests uses. */
export interface ContractHarness {
  /** The store of the running test (fresh for each test). */
  store(): JobStore;
  /** The clock of the running test. */
  clock(): TestClock;
  readonly options: Required<Omit<JobStoreContractOptions, 'cleanup'>>;
  readonly maxOutputBytes: number;
}

/** The owner identity used by the suite. */
export const testOwner: JobOwner = {
  instanceId: 'contract-suite',
  pid: 4242,
  host: 'contract-host',
};

/** A pending job with suite defaults, overridable. */
export function pendingJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    label: 'contract',
    tool: 'contract-tool',
    status: 'pending',
    scope: null,
    owner: null,
    leaseToken: null,
    ...overrides,
  };
}

/** A running job owned by `leaseToken`, with a 10 s lease, overridable. */
export function runningJob(leaseToken: string, overrides: Partial<NewJob> = {}): NewJob {
  return pendingJob({
    status: 'running',
    owner: testOwner,
    leaseToken,
    leaseMs: 10_000,
    ...overrides,
  });
}

/** Waits (real time) until `check` returns true, polling every 5 ms, up to `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 3000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
