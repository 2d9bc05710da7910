export {
  describeJobStoreContract,
  contractMaxOutputBytes,
} from './testing/describe-job-store-contract';
export type { JobStoreContractContext, JobStoreContractOptions } from './testing/contract-harness';
export { createTestClock } from './testing/test-clock';
export type { TestClock } from './testing/test-clock';
