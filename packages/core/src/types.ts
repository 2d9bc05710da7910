import type { SaError } from './errors';

/** One progress report: `progress` so far, out of `total` when known. */
export interface ProgressUpdate {
  /** Amount done so far; callers should make it increase. */
  progress: number;
  /** Amount to do in all, when known. */
  total?: number;
  /** A short human-readable note on what is happening. */
  message?: string;
}

/** What a piece of work receives when it runs. */
export interface WorkContext {
  /** Aborts when the work is cancelled (with a `SaError` of code `CANCELLED` as reason). */
  signal: AbortSignal;
  /** Reports progress for this work; same as the free `reportProgress` function. */
  reportProgress(update: ProgressUpdate): void;
}

/**
 * A piece of work: a function that receives a signal and a progress reporter and returns its
 * value or a promise of it. A plain (non-promise) return, `undefined` included, settles the
 * task at once; a throw fails it.
 */
export type Work<T> = (context: WorkContext) => T | PromiseLike<T>;

/** Where a background task is in its life. `completed`, `failed` and `cancelled` are final. */
export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/** Injectable timer functions (defaults: the global ones), so fake timers work. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A listener for progress updates. */
export type ProgressListener = (update: ProgressUpdate) => void;

/** Options for a progress listener. */
export interface ProgressListenerOptions {
  /**
   * Deliver at most one update per `intervalMs` (latest wins; the last update is always
   * delivered). Omit for every update.
   */
  intervalMs?: number;
}

/** How a task ended. */
export type TaskOutcome<T> =
  | { status: 'completed'; value: T }
  | { status: 'failed'; error: unknown }
  | { status: 'cancelled'; error: SaError };

/** A piece of work running (or queued to run) in the background. */
export interface BackgroundTask<T> {
  /** A process-local id, unique within this process. */
  readonly id: string;
  /** Current status. */
  readonly status: TaskStatus;
  /** Settles with the work; never causes an unhandled rejection when nobody listens. */
  readonly result: Promise<T>;
  /** The work's own signal (not the request's). */
  readonly signal: AbortSignal;
  /** Latest progress, if any was reported. */
  readonly progress: ProgressUpdate | undefined;
  /** When the task was created (queued or started), epoch milliseconds. */
  readonly createdAt: number;
  /** When the work truly began running, epoch milliseconds; undefined while pending. */
  readonly startedAt: number | undefined;
  /** When the task settled, epoch milliseconds. */
  readonly settledAt: number | undefined;
  /** Cancels the work: aborts its signal with a `SaError` code `CANCELLED`. No-op once settled. */
  cancel(reason?: string): void;
  /** Subscribes to progress; returns an unsubscribe function. */
  onProgress(listener: ProgressListener, options?: ProgressListenerOptions): () => void;
  /** Subscribes to status changes (pending → running → final); returns an unsubscribe function. */
  onStatus(listener: (status: TaskStatus) => void): () => void;
  /** Called once when the task settles (at once if it already has); returns an unsubscribe function. */
  onSettled(listener: (outcome: TaskOutcome<T>) => void): () => void;
}

/** Options for `runWithBudget`. */
export interface RunWithBudgetOptions {
  /** How long the call may stay inline before the work is promoted to the background. */
  budgetMs: number;
  /** The request's signal. */
  signal?: AbortSignal;
  /**
   * What a request abort does before promotion: `cancel` the work (default) or `promote` it
   * (use it when the connection drops: the result must not be lost). Ignored after promotion.
   */
  onRequestAbort?: 'cancel' | 'promote';
  /** Injectable timers. */
  timers?: Timers;
  /** Injectable clock for `createdAt`/`startedAt` (default `Date.now`). */
  now?: () => number;
  /** Receives progress while the call is inline; detached at promotion or settlement. */
  onProgress?: ProgressListener;
  /** Coalescing interval for `onProgress`. */
  progressIntervalMs?: number;
}

/** The outcome of `runWithBudget`. */
export type BudgetResult<T> =
  { status: 'completed'; value: T } | { status: 'promoted'; task: BackgroundTask<T> };

/** Options for `startInBackground`. */
export interface StartInBackgroundOptions {
  /** Injectable clock (default `Date.now`). */
  now?: () => number;
  /** Injectable timers, used by coalesced progress listeners (default: the global ones). */
  timers?: Timers;
}

/** Options for `createRunner`. */
export interface RunnerOptions {
  /** How many works may run at once; more are queued as `pending`. */
  concurrency: number;
  /** Injectable timers. */
  timers?: Timers;
  /** Injectable clock (default `Date.now`). */
  now?: () => number;
}

/** What `Runner.close` reports. */
export interface RunnerCloseResult {
  /** Tasks that were still pending or running at the end of the grace period and were cancelled. */
  cancelled: BackgroundTask<unknown>[];
}

/** A concurrency-limited runner: works beyond the limit wait as `pending`. */
export interface Runner {
  /** Like the free `runWithBudget`, but the work waits for a slot (the budget counts the wait). */
  runWithBudget<T>(work: Work<T>, options: RunWithBudgetOptions): Promise<BudgetResult<T>>;
  /** Like the free `startInBackground`, but the work waits for a slot. */
  startInBackground<T>(work: Work<T>, options?: StartInBackgroundOptions): BackgroundTask<T>;
  /** Number of works running now. */
  readonly running: number;
  /** Number of works waiting for a slot. */
  readonly pending: number;
  /**
   * Stops accepting work (later calls reject with `CLOSED`), waits up to `graceMs` for what is
   * running or queued, then cancels what is left and says which tasks it cancelled.
   */
  close(options?: { graceMs?: number }): Promise<RunnerCloseResult>;
}
