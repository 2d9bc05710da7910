import type { JobRecord } from './job-record';
import type {
  HeartbeatResult,
  JobEvent,
  JobPage,
  NewJob,
  OutputChunk,
  OutputStream,
  TransitionGuard,
  TransitionPatch,
  TransitionResult,
} from './job-store';
import type { NormalizedListQuery, NormalizedPruneOptions } from './validate-arguments';

/** A record as a backend read it, with the backend's clock at the time of the read. */
export interface BackendRead {
  record: JobRecord;
  /** The store's clock when the record was read (epoch ms): the front decides expiry with it. */
  now: number;
}

/**
 * What a storage backend implements under `createJobStore`. The front (`createJobStore`) has
 * already checked every argument, refused calls after `close`, filled in defaults and will
 * apply read visibility (scope, expiry): a backend receives normalised input and keeps only its
 * own atomicity (Lua scripts, SQL statements, file locks) and its own limits (e.g. file names).
 */
export interface JobStoreBackend {
  /** A short name for messages, e.g. `file:/var/lib/sa` or `redis`. */
  readonly name: string;
  create(job: NewJob, idempotencyKey: string | undefined): Promise<JobRecord>;
  /** The stored record, expired or not, of any scope (the front filters). */
  read(id: string): Promise<BackendRead | undefined>;
  list(query: NormalizedListQuery): Promise<JobPage>;
  transition(id: string, guard: TransitionGuard, patch: TransitionPatch): Promise<TransitionResult>;
  heartbeat(
    id: string,
    ownerToken: string,
    options: { leaseMs: number; progress?: JobRecord['progress'] },
  ): Promise<HeartbeatResult>;
  requestCancel(id: string, reason: string | undefined): Promise<JobRecord | undefined>;
  /** `now` overrides the store's clock for the lease check; `batchSize` bounds each step. */
  reapExpired(options: { now: number | undefined; batchSize: number }): Promise<JobRecord[]>;
  prune(options: NormalizedPruneOptions): Promise<number>;
  appendOutput(
    id: string,
    stream: OutputStream,
    chunk: string,
    expectedOffset: number | undefined,
  ): Promise<void>;
  readOutput(
    id: string,
    stream: OutputStream,
    options: { offset: number; maxBytes: number },
  ): Promise<OutputChunk>;
  getCursor(id: string, name: string): Promise<number | undefined>;
  setCursor(id: string, name: string, expected: number | undefined, next: number): Promise<boolean>;
  subscribe(listener: (event: JobEvent) => void, options: { id?: string }): () => void;
  now(): Promise<number>;
  /** Called once, after the front refused new calls. */
  close(): Promise<void>;
}
