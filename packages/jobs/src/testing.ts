export {
  describeJobStoreContract,
  contractMaxOutputBytes,
} from './testing/describe-job-store-contract';
export type { JobStoreContractContext, JobStoreContractOptions } from './testing/contract-harness';
export { createTestClock } from './testing/test-clock';
export type { TestClock } from './testing/test-clock';
export { createTcpProxy } from './testing/tcp-proxy';
export type { TcpProxy } from './testing/tcp-proxy';
