import { afterEach, beforeEach, describe } from 'vitest';
import type { JobStore } from '../job-store';
import { describeCreateContract } from './contract-create';
import type {
  ContractHarness,
  JobStoreContractContext,
  JobStoreContractOptions,
} from './contract-harness';
import { describeEventsContract } from './contract-events';
import { describeFrontContract } from './contract-front';
import { describeListContract } from './contract-list';
import { describeLeaseContract } from './contract-lease';
import { describeOutputContract } from './contract-output';
import { describePruneContract } from './contract-prune';
import { describeTransitionContract } from './contract-transition';
import { createTestClock } from './test-clock';
import type { TestClock } from './test-clock';

/** The output bound the suite asks stores to use (small, so the bound is exercised). */
export const contractMaxOutputBytes = 64;

/**
 * Registers the `JobStore` contract tests (vitest) for a store: every store must pass them.
 * `createStore` runs before each test and must return an empty store; the suite closes it after.
 *
 * @example
 * describeJobStoreContract('memory', ({ clock, maxOutputBytes }) => createMemoryJobStore({ clock, maxOutputBytes }));
 */
export function describeJobStoreContract(
  name: string,
  createStore: (context: JobStoreContractContext) => JobStore | Promise<JobStore>,
  options: JobStoreContractOptions = {},
): void {
  let store: JobStore | undefined;
  let clock: TestClock = createTestClock();
  const harness: ContractHarness = {
    store() {
      if (store === undefined)
        throw new Error('The contract store is only available inside a test');
      return store;
    },
    clock: () => clock,
    options: {
      clock: options.clock ?? 'injected',
      timeoutMs: options.timeoutMs ?? 10_000,
      raceSize: options.raceSize ?? 8,
    },
    maxOutputBytes: contractMaxOutputBytes,
  };

  describe(`JobStore contract: ${name}`, { timeout: harness.options.timeoutMs }, () => {
    beforeEach(async () => {
      clock = createTestClock();
      store = await createStore({ clock, maxOutputBytes: contractMaxOutputBytes });
    });
    afterEach(async () => {
      const current = store;
      store = undefined;
      await current?.close();
      await options.cleanup?.();
    });
    describeCreateContract(harness);
    describeListContract(harness);
    describeTransitionContract(harness);
    describeLeaseContract(harness);
    describePruneContract(harness);
    describeOutputContract(harness);
    describeEventsContract(harness);
    describeFrontContract(harness);
  });
}
