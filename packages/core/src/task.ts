import { createCoalescer, type Coalescer } from './coalesce';
import { CancelledError, InvalidArgumentError, isSaError } from './errors';
import { reportListenerError } from './listener-error';
import { normalizeProgressUpdate } from './progress-update';
import { workStorage, type ProgressSink } from './report-progress';
import type {
  BackgroundTask,
  ProgressListener,
  ProgressListenerOptions,
  ProgressUpdate,
  TaskOutcome,
  TaskStatus,
  Timers,
  Work,
  WorkContext,
} from './types';
import {
  assertFunction,
  assertOptionalDuration,
  assertOptionalObject,
  describeValue,
} from './validate';

type ProgressEntry = ProgressListener | Coalescer<ProgressUpdate>;
type StatusListener = (status: TaskStatus) => void;
type SettledListener<T> = (outcome: TaskOutcome<T>) => void;

/** The one internal observer a task may have (the budget watch of `runWithBudget`). */
export interface TaskWatcher<T> {
  onTaskSettled(outcome: TaskOutcome<T>): void;
}

/** Options for a `Task`. */
export interface TaskOptions {
  /** Clock for `createdAt`, `startedAt`, `settledAt`. */
  now: () => number;
  /** Timers for coalesced progress listeners. */
  timers: Timers;
}

let lastTaskNumber = 0;
const noop = (): void => {};

/**
 * The one implementation of `BackgroundTask`. It starts `pending`; `begin` runs the work.
 * Cancelling settles it at once (a work that ignores its signal cannot hold it open).
 * Everything optional (signal, result promise, listener lists) is allocated on first use.
 */
export class Task<T> implements BackgroundTask<T>, ProgressSink {
  readonly createdAt: number;
  /** Told first when the task settles; set and cleared by this package only. */
  watcher: TaskWatcher<T> | undefined;
  readonly #number: number;
  readonly #now: () => number;
  readonly #timers: Timers;
  #work: Work<T> | undefined;
  #status: TaskStatus = 'pending';
  #startedAt: number | undefined;
  #settledAt: number | undefined;
  #progress: ProgressUpdate | undefined;
  #outcome: TaskOutcome<T> | undefined;
  #controller: AbortController | undefined;
  #result: Promise<T> | undefined;
  #reporter: ((update: ProgressUpdate) => void) | undefined;
  #progressEntries: ProgressEntry[] | undefined;
  #statusListeners: StatusListener[] | undefined;
  #settledListeners: SettledListener<T>[] | undefined;

  constructor(work: Work<T>, options: TaskOptions) {
    this.#number = ++lastTaskNumber;
    this.#work = work;
    this.#now = options.now;
    this.#timers = options.timers;
    this.createdAt = options.now();
  }

  get id(): string {
    return `task-${this.#number}`;
  }

  get status(): TaskStatus {
    return this.#status;
  }

  get startedAt(): number | undefined {
    return this.#startedAt;
  }

  get settledAt(): number | undefined {
    return this.#settledAt;
  }

  get progress(): ProgressUpdate | undefined {
    return this.#progress;
  }

  /** How the task ended; undefined while it has not. */
  get outcome(): TaskOutcome<T> | undefined {
    return this.#outcome;
  }

  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = this.#controller = new AbortController();
      const outcome = this.#outcome;
      if (outcome?.status === 'cancelled') controller.abort(outcome.error);
    }
    return controller.signal;
  }

  get result(): Promise<T> {
    let result = this.#result;
    if (result === undefined) {
      result = this.#result = new Promise<T>((resolve, reject) => {
        this.addSettledListener((outcome) => {
          if (outcome.status === 'completed') resolve(outcome.value);
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the work's own error, unwrapped
          else reject(outcome.error);
        });
      });
      result.catch(noop);
    }
    return result;
  }

  /** A progress reporter bound to this task (what `WorkContext.reportProgress` is). */
  get reporter(): (update: ProgressUpdate) => void {
    return (this.#reporter ??= (update) => this.report(update));
  }

  /** Runs the work (once, and only while pending), inside this task's async context. */
  begin(): void {
    const work = this.#work;
    if (this.#status !== 'pending' || work === undefined) return;
    this.#work = undefined;
    this.#startedAt = this.#now();
    this.#setStatus('running');
    let returned: T | PromiseLike<T>;
    try {
      returned = workStorage.run(this, work, new TaskContext(this));
    } catch (error) {
      this.#settle(failureOutcome(error));
      return;
    }
    if (!isPromiseLike(returned)) {
      this.#settle({ status: 'completed', value: returned });
      return;
    }
    returned.then(
      (value) => this.#settle({ status: 'completed', value }),
      (error: unknown) => this.#settle(failureOutcome(error)),
    );
  }

  cancel(reason?: string): void {
    if (reason !== undefined && typeof reason !== 'string') {
      throw new InvalidArgumentError(
        `reason must be a string when given, got ${describeValue(reason)}`,
      );
    }
    this.cancelWith(new CancelledError(reason ?? 'The task was cancelled'));
  }

  /** Cancels with a given error (its code should be `CANCELLED`). No-op once settled. */
  cancelWith(error: CancelledError): void {
    if (this.#outcome !== undefined) return;
    this.#work = undefined;
    this.#settle({ status: 'cancelled', error });
  }

  report(update: ProgressUpdate): void {
    const normalized = normalizeProgressUpdate(update);
    if (this.#outcome !== undefined) return;
    this.#progress = normalized;
    const entries = this.#progressEntries;
    if (entries === undefined) return;
    for (const entry of entries) {
      if (typeof entry === 'function') callSafely('progress', entry, normalized);
      else entry.push(normalized);
    }
  }

  onProgress(listener: ProgressListener, options?: ProgressListenerOptions): () => void {
    assertFunction('listener', listener);
    assertOptionalObject('options', options);
    assertOptionalDuration('intervalMs', options?.intervalMs);
    if (this.#outcome !== undefined) return noop;
    const intervalMs = options?.intervalMs;
    const entry: ProgressEntry =
      intervalMs === undefined || intervalMs === 0
        ? listener
        : createCoalescer((update: ProgressUpdate) => callSafely('progress', listener, update), {
            intervalMs,
            timers: this.#timers,
          });
    const entries = this.#progressEntries;
    this.#progressEntries = entries === undefined ? [entry] : [...entries, entry];
    return () => {
      const current = this.#progressEntries;
      if (current === undefined) return;
      const index = current.indexOf(entry);
      if (index === -1) return;
      this.#progressEntries = current.length === 1 ? undefined : current.toSpliced(index, 1);
      if (typeof entry !== 'function') entry.dispose();
    };
  }

  onStatus(listener: (status: TaskStatus) => void): () => void {
    assertFunction('listener', listener);
    if (this.#outcome !== undefined) return noop;
    const listeners = this.#statusListeners;
    this.#statusListeners = listeners === undefined ? [listener] : [...listeners, listener];
    return () => {
      const current = this.#statusListeners;
      const index = current?.indexOf(listener) ?? -1;
      if (current === undefined || index === -1) return;
      this.#statusListeners = current.length === 1 ? undefined : current.toSpliced(index, 1);
    };
  }

  onSettled(listener: (outcome: TaskOutcome<T>) => void): () => void {
    assertFunction('listener', listener);
    return this.addSettledListener(listener);
  }

  /** `onSettled` without the argument check, for this package's own hooks (listener errors are reported, not thrown). */
  addSettledListener(listener: SettledListener<T>): () => void {
    const outcome = this.#outcome;
    if (outcome !== undefined) {
      callSafely('settled', listener, outcome);
      return noop;
    }
    const listeners = this.#settledListeners;
    this.#settledListeners = listeners === undefined ? [listener] : [...listeners, listener];
    return () => {
      const current = this.#settledListeners;
      const index = current?.indexOf(listener) ?? -1;
      if (current === undefined || index === -1) return;
      this.#settledListeners = current.length === 1 ? undefined : current.toSpliced(index, 1);
    };
  }

  #setStatus(status: TaskStatus): void {
    this.#status = status;
    const listeners = this.#statusListeners;
    if (listeners === undefined) return;
    for (const listener of listeners) callSafely('status', listener, status);
  }

  #settle(outcome: TaskOutcome<T>): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;
    this.#settledAt = this.#now();
    if (outcome.status === 'cancelled') this.#controller?.abort(outcome.error);
    const entries = this.#progressEntries;
    this.#progressEntries = undefined;
    if (entries !== undefined) {
      for (const entry of entries) if (typeof entry !== 'function') entry.flush();
    }
    this.#setStatus(outcome.status);
    this.#statusListeners = undefined;
    const watcher = this.watcher;
    this.watcher = undefined;
    watcher?.onTaskSettled(outcome);
    const listeners = this.#settledListeners;
    this.#settledListeners = undefined;
    if (listeners !== undefined)
      for (const listener of listeners) callSafely('settled', listener, outcome);
  }
}

/** What the work receives: its task's signal and progress reporter (both made on first use). */
class TaskContext<T> implements WorkContext {
  readonly #task: Task<T>;

  constructor(task: Task<T>) {
    this.#task = task;
  }

  get signal(): AbortSignal {
    return this.#task.signal;
  }

  get reportProgress(): (update: ProgressUpdate) => void {
    return this.#task.reporter;
  }
}

/** A work's own `CANCELLED` error means it was cancelled; anything else means it failed. */
function failureOutcome<T>(error: unknown): TaskOutcome<T> {
  return isSaError(error, 'CANCELLED')
    ? { status: 'cancelled', error }
    : { status: 'failed', error };
}

function callSafely<A>(kind: string, listener: (argument: A) => void, argument: A): void {
  try {
    listener(argument);
  } catch (error) {
    reportListenerError(kind, error);
  }
}

/** True for a promise or any thenable (what `await` would adopt). */
function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
