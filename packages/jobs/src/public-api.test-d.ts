import type { BackgroundTask } from '@sa/core';
import { describe, expectTypeOf, it } from 'vitest';
import { createJobManager, createMemoryJobStore, readNewOutput } from './index';
import type { JobManager, JobRecord, JobStore, OutputChunk } from './index';
import { createTestClock, describeJobStoreContract } from './testing';
import type { JobStoreContractContext, TestClock } from './testing';

describe('public types', () => {
  it('factories return the contracts', () => {
    expectTypeOf(createMemoryJobStore).returns.toEqualTypeOf<JobStore>();
    expectTypeOf(createJobManager).returns.toEqualTypeOf<JobManager>();
    expectTypeOf(readNewOutput).returns.toEqualTypeOf<Promise<OutputChunk>>();
  });

  it('adopt takes any task and resolves with a record', () => {
    expectTypeOf<JobManager['adopt']>().toBeCallableWith({} as BackgroundTask<{ rows: number }>, {
      tool: 'export',
    });
    expectTypeOf<ReturnType<JobManager['wait']>>().toEqualTypeOf<Promise<JobRecord>>();
  });

  it('the contract suite hands the factory a controllable clock', () => {
    expectTypeOf(createTestClock()).toEqualTypeOf<TestClock>();
    expectTypeOf<JobStoreContractContext['clock']>().toEqualTypeOf<TestClock>();
    expectTypeOf(describeJobStoreContract).parameter(1).toBeCallableWith({
      clock: createTestClock(),
      maxOutputBytes: 64,
    });
    // @ts-expect-error the clock mode is 'injected' or 'server'
    describeJobStoreContract('x', () => createMemoryJobStore(), { clock: 'wall' });
  });
});
