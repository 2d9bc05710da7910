import type {
  BackgroundTask,
  BudgetResult,
  RunWithBudgetOptions,
  Runner,
  Timers,
  Work,
} from '@sa/core';
import type { JobError, JobRecord, JobStatus, JsonValue } from './job-record';
import type { ReadNewOutputOptions } from './read-new-output';
import type {
  JobPage,
  JobStore,
  ListJobsQuery,
  OutputChunk,
  OutputStream,
  PruneOptions,
  ReadOutputOptions,
} from './job-store';

/** How long finished jobs are kept, per terminal status, in milliseconds (null: forever). */
export interface RetentionOptions {
  completed?: number | null;
  failed?: number | null;
  cancelled?: number | null;
  interrupted?: number | null;
  /** How often the background pruner runs (default 60 s). */
  pruneIntervalMs?: number;
}

/** Options for `createJobManager`. */
export interface JobManagerOptions {
  store: JobStore;
  /** Owner lease length (default 15 s). */
  leaseMs?: number;
  /** Heartbeat interval: renews the lease, writes coalesced progress (default 5 s). */
  heartbeatMs?: number;
  /** Retention of finished jobs (default 24 h for every terminal status). */
  retention?: RetentionOptions;
  /** How many jobs started with `start` may run at once (default 4). */
  concurrency?: number;
  /** Injectable clock for process-side times (default `Date.now`). */
  clock?: { now(): number };
  /** Injectable timers. */
  timers?: Timers;
  /** This process's id in `owner.instanceId` (default random). */
  instanceId?: string;
  /** Interval of the reaper (default `leaseMs`). */
  reapIntervalMs?: number;
  /** Polling fallback of `wait` across processes (default 250 ms). */
  waitPollMs?: number;
  /** Where warnings go (default `console.warn`); never stdout. */
  logger?: { warn(message: string): void };
}

/** What a job is, for `adopt` and `start`. */
export interface JobMeta {
  tool: string;
  label?: string;
  input?: JsonValue;
  /** Who may see the job (session or auth subject); null for shared. */
  scope?: string | null;
  idempotencyKey?: string;
}

/** Options for `JobManager.wait`. */
export interface WaitOptions {
  /** Give up after this long and resolve with the current record. */
  timeoutMs: number;
  signal?: AbortSignal;
  scope?: string | null;
  /**
   * `settled` (default): until the job is terminal. `change`: also when its version changes
   * (status, progress) or either output stream grows, compared with when `wait` was called.
   */
  until?: 'settled' | 'change';
}

/** The terminal outcome of an external job, for `JobManager.settleExternal`. */
export type ExternalOutcome =
  | { status: 'completed'; result: JsonValue }
  | { status: 'failed'; error: JobError; result?: JsonValue };

/** A job manager: runs work as persisted jobs over a `JobStore`. */
export interface JobManager {
  readonly store: JobStore;
  /** The concurrency-limited runner jobs started with `start` run on. */
  readonly runner: Runner;
  /** This process's owner identity. */
  readonly instanceId: string;
  /**
   * Turns a promoted (or pending) task into a job; durable before it resolves, with the work's
   * true start time. Progress is written with heartbeats; the terminal transition is fenced.
   */
  adopt<T>(task: BackgroundTask<T>, meta: JobMeta): Promise<JobRecord>;
  /** Explicit async mode: a `pending` job, `running` when a slot frees. */
  start<T>(work: Work<T>, meta: JobMeta): Promise<JobRecord>;
  /**
   * Runs work inline on this manager's runner within `budgetMs`: the value when it settles in
   * time, else the promoted task (turn it into a job with `adopt`).
   */
  runWithBudget<T>(work: Work<T>, options: RunWithBudgetOptions): Promise<BudgetResult<T>>;
  /**
   * Records a `running` job whose work runs outside this manager (for example an SDK task
   * handler). No process owns it, so the reaper leaves it alone; end it with `settleExternal`.
   */
  createExternal(meta: JobMeta): Promise<JobRecord>;
  /** Stores the terminal outcome of an external job. Throws NOT_FOUND, or CONFLICT when it already finished. */
  settleExternal(id: string, outcome: ExternalOutcome): Promise<JobRecord>;
  /** The store's clock in ms since the epoch: use it for ages and cut-offs so replicas agree. */
  now(): Promise<number>;
  /**
   * Reads the output a named reader has not had yet and advances its stored cursor, so two
   * callers never get the same bytes (see `readNewOutput`).
   */
  readNewOutput(
    id: string,
    stream: OutputStream,
    options?: ReadNewOutputOptions,
  ): Promise<OutputChunk>;
  /** Where a named reader's stored cursor of a stream stands (0 before its first read). */
  outputCursor(
    id: string,
    stream: OutputStream,
    options?: { cursorName?: string },
  ): Promise<number>;
  /** Appends to a job's output log (ordered per job and stream; errors are logged, not thrown). */
  appendOutput(id: string, stream: OutputStream, chunk: string): void;
  /** Resolves when every output append queued so far for the job is stored. */
  flushOutput(id: string): Promise<void>;
  get(id: string, options?: { scope?: string | null }): Promise<JobRecord | undefined>;
  list(query?: ListJobsQuery): Promise<JobPage>;
  /** Cancels from any process: pending at once; running when its owner sees the flag. Throws NOT_FOUND / CONFLICT. */
  cancel(id: string, options?: { scope?: string | null; reason?: string }): Promise<JobRecord>;
  /** Resolves with the record as soon as the condition holds, or at the timeout. Throws NOT_FOUND. */
  wait(id: string, options: WaitOptions): Promise<JobRecord>;
  readOutput(id: string, stream: OutputStream, options?: ReadOutputOptions): Promise<OutputChunk>;
  prune(options?: PruneOptions): Promise<number>;
  /**
   * Stops heartbeats, waits up to `graceMs` for running work, cancels the rest; no job stays
   * running. With `interruptReason`, the rest are recorded `interrupted` with that message
   * instead of `cancelled` (their owner stopped; nobody asked to cancel them).
   */
  close(options?: { graceMs?: number; interruptReason?: string }): Promise<void>;
}

export type { JobStatus };
