export {
  jobStatuses,
  terminalJobStatuses,
  isTerminalStatus,
  jsonValueSchema,
  jobProgressSchema,
  jobErrorSchema,
  jobOwnerSchema,
  jobRecordSchema,
} from './job-record';
export type {
  JobStatus,
  JsonValue,
  JobRecord,
  JobProgress,
  JobError,
  JobOwner,
} from './job-record';
export type {
  OutputStream,
  NewJob,
  CreateJobOptions,
  TransitionGuard,
  TransitionPatch,
  TransitionFailure,
  TransitionResult,
  HeartbeatResult,
  ListJobsQuery,
  JobPage,
  PruneOptions,
  OutputChunk,
  ReadOutputOptions,
  AppendOutputOptions,
  JobEvent,
  SubscribeOptions,
  JobStore,
} from './job-store';
export type {
  RetentionOptions,
  JobManagerOptions,
  JobMeta,
  WaitOptions,
  JobManager,
  ExternalOutcome,
} from './job-manager-types';
export { createJobId, createLeaseToken } from './ids';
export { createJobManager } from './job-manager';
export { createJobStore } from './create-job-store';
export type { JobStoreBackend, BackendRead } from './job-store-backend';
export type { NormalizedListQuery, NormalizedPruneOptions } from './validate-arguments';
export { createMemoryJobStore } from './memory-store';
export type { MemoryJobStoreOptions } from './memory-store';
export { createFileJobStore } from './file-store';
export type { FileJobStoreOptions } from './file-store';
export { readNewOutput } from './read-new-output';
export type { ReadNewOutputOptions } from './read-new-output';
