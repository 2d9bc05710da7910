import type {
  JobError,
  JobOwner,
  JobProgress,
  JobRecord,
  JobStatus,
  JsonValue,
} from './job-record';

/** An output stream of a job. */
export type OutputStream = 'stdout' | 'stderr';

/** What `JobStore.create` takes; the store fills in id (if absent), times and version. */
export interface NewJob {
  /** Optional caller-chosen id (must be unguessable); default a fresh 128-bit random id. */
  id?: string;
  label: string;
  tool: string;
  input?: JsonValue;
  /** `pending` (queued) or `running` (already started, e.g. promoted work). */
  status: 'pending' | 'running';
  scope: string | null;
  owner: JobOwner | null;
  /** Fencing token for the owner. */
  leaseToken: string | null;
  /** Lease length; the store sets `leaseExpiresAt = now + leaseMs` on its own clock. */
  leaseMs?: number;
  /** When the work truly started; default the store's now. */
  createdAt?: number;
  /** When the work began running (for `running`); default `createdAt`. */
  startedAt?: number | null;
  progress?: JobProgress | null;
}

/** Options for `JobStore.create`. */
export interface CreateJobOptions {
  /** When a job with this key exists, it is returned instead of creating another. */
  idempotencyKey?: string;
}

/** The guard of a compare-and-set `transition`. */
export interface TransitionGuard {
  /** The status (or one of the statuses) the job must be in now. */
  from: JobStatus | readonly JobStatus[];
  /** The version the job must have now. */
  expectedVersion?: number;
  /** The job's current `leaseToken` must equal this (fencing). */
  ownerToken?: string;
}

/** The change a `transition` makes. Times are set by the store on its own clock. */
export interface TransitionPatch {
  status?: JobStatus;
  progress?: JobProgress | null;
  result?: JsonValue;
  error?: JobError | null;
  owner?: JobOwner | null;
  leaseToken?: string | null;
  /** Renews the lease: `leaseExpiresAt = now + leaseMs`. */
  leaseMs?: number;
  /** When the work began running (default now, when entering `running`). */
  startedAt?: number;
  /** Retention: `expiresAt = now + ttlMs` (meant for terminal transitions). */
  ttlMs?: number | null;
}

/** Why a `transition` did not happen. */
export type TransitionFailure = 'not_found' | 'status' | 'version' | 'owner' | 'terminal';

/** The result of a `transition`: the new record, or why it did not happen and the current record. */
export type TransitionResult =
  | { ok: true; record: JobRecord }
  | { ok: false; reason: TransitionFailure; current: JobRecord | undefined };

/** The result of a `heartbeat`. */
export interface HeartbeatResult {
  /** False when the caller no longer owns the job (fenced out, job terminal or gone). */
  ok: boolean;
  /** True when someone asked to cancel the job: the owner should stop the work. */
  cancelRequested: boolean;
  record: JobRecord | undefined;
}

/** A query for `JobStore.list`. */
export interface ListJobsQuery {
  status?: JobStatus | readonly JobStatus[];
  /** A string: only jobs of that scope. Undefined: every job. */
  scope?: string | null;
  label?: string;
  /** Page size (default 50, max 1000). */
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

/** A page of jobs, newest first. */
export interface JobPage {
  jobs: JobRecord[];
  /** How many jobs match the query in all (not only this page). */
  total: number;
  /** Cursor of the next page, or undefined on the last one. */
  nextCursor: string | undefined;
}

/** Options for `JobStore.prune`. */
export interface PruneOptions {
  /** Only jobs that finished (or, for pending, were created) before this time (epoch ms). */
  olderThan?: number;
  /** Statuses to prune (default every terminal status). `running` is never pruned. */
  statuses?: readonly JobStatus[];
  /** Also prune terminal jobs whose `expiresAt` has passed, whatever `olderThan` says. */
  expired?: boolean;
  /** Only jobs of this scope. */
  scope?: string | null;
  /**
   * Only jobs of these tools (`JobRecord.tool`): 1 to 100 non-empty names. The
   * filter applies with the others, atomically in every store.
   */
  tools?: readonly string[];
  /** Delete in batches of this size (default 500). */
  batchSize?: number;
}

/** A read from a job's output log. Offsets are UTF-8 byte offsets since the stream began. */
export interface OutputChunk {
  /** The text read; never splits a character. */
  data: string;
  /** Where the next read should start. */
  nextOffset: number;
  /** Bytes between the requested offset and the first byte still kept (dropped by the bound). */
  droppedBytes: number;
  /** Bytes written to the stream in all (the end offset). */
  endOffset: number;
}

/** Options for `JobStore.readOutput`. */
export interface ReadOutputOptions {
  /** Start here (default 0). */
  offset?: number;
  /** Read at most this many bytes (default 1 MiB). */
  maxBytes?: number;
}

/** Options for `JobStore.appendOutput`. */
export interface AppendOutputOptions {
  /**
   * Append only when the stream's end offset (`OutputChunk.endOffset`, dropped bytes included)
   * is this; otherwise reject with `CONFLICT` and write nothing. A writer that tracks the offset
   * can retry an append whose reply was lost without writing it twice.
   */
  expectedOffset?: number;
}

/** A change in the store: a hint to re-read, never the data itself. */
export interface JobEvent {
  type: 'changed' | 'output' | 'deleted';
  id: string;
  status?: JobStatus;
  version?: number;
  cancelRequested?: boolean;
}

/** Options for `JobStore.subscribe`. */
export interface SubscribeOptions {
  /** Only events of this job. */
  id?: string;
}

/**
 * The storage contract every job store implements. All methods are async; every status
 * change is durable before the returned promise resolves. Times come from the store's clock.
 */
export interface JobStore {
  /** A short name for messages, e.g. `file:/var/lib/sa` or `redis`. */
  readonly name: string;
  create(job: NewJob, options?: CreateJobOptions): Promise<JobRecord>;
  get(id: string, options?: { scope?: string | null }): Promise<JobRecord | undefined>;
  list(query?: ListJobsQuery): Promise<JobPage>;
  transition(id: string, guard: TransitionGuard, patch: TransitionPatch): Promise<TransitionResult>;
  heartbeat(
    id: string,
    ownerToken: string,
    options: { leaseMs: number; progress?: JobProgress | null },
  ): Promise<HeartbeatResult>;
  /** Anyone may call it: pending → cancelled at once; running → cancel flag for the owner. */
  requestCancel(id: string, reason?: string): Promise<JobRecord | undefined>;
  /** Pending and running jobs whose lease expired (or whose owner is known dead) → `interrupted`. */
  reapExpired(options?: { now?: number }): Promise<JobRecord[]>;
  /** Deletes in bounded batches; returns how many were deleted. Never deletes running jobs. */
  prune(options?: PruneOptions): Promise<number>;
  /** Appends to a job's output log (bounded: the oldest bytes are dropped and counted). */
  appendOutput(
    id: string,
    stream: OutputStream,
    chunk: string,
    options?: AppendOutputOptions,
  ): Promise<void>;
  readOutput(id: string, stream: OutputStream, options?: ReadOutputOptions): Promise<OutputChunk>;
  /** A named per-job cursor (e.g. what was delivered so far); undefined when never set. */
  getCursor(id: string, name: string): Promise<number | undefined>;
  /** Compare-and-set of a named cursor: true when it was `expected` and is now `next`. */
  setCursor(id: string, name: string, expected: number | undefined, next: number): Promise<boolean>;
  /** Subscribes to change hints; returns an unsubscribe function. */
  subscribe(listener: (event: JobEvent) => void, options?: SubscribeOptions): () => void;
  /** The store's clock, epoch ms. */
  now(): Promise<number>;
  close(): Promise<void>;
}
