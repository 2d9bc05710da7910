import { isSaError, serializeError } from '@sa/core';
import type { BackgroundTask, ProgressUpdate, TaskOutcome } from '@sa/core';
import { isTerminalStatus } from '../job-record';
import type { JobError, JobProgress, JobRecord } from '../job-record';
import type { JobStore, TransitionPatch, TransitionResult } from '../job-store';
import { findJsonProblem } from '../validate-arguments';
import { progressCopy } from '../progress-copy';
import { toJsonResult } from './json-result';
import type { Beatable, BeatScheduler } from './beat-scheduler';
import type { TimerSet } from './manager-timers';
import type { OutputWriter } from './output-writer';
import { retryStoreCall } from './retry-store-call';
import type { StoreLane } from './store-lane';

/** What a tracked job needs from its manager. */
export interface OwnedJobContext {
  store: JobStore;
  timers: TimerSet;
  /** Renews the lease and writes progress (one timer for every job of the manager). */
  beats: BeatScheduler;
  /** Where this job's store writes run (bounded for the whole manager). */
  lane: StoreLane;
  output: OutputWriter;
  logger: { warn(message: string): void };
  leaseMs: number;
  retention: Record<'completed' | 'failed' | 'cancelled' | 'interrupted', number | null>;
  /** True once `close` gave up on unfinished store writes. */
  abandoned(): boolean;
  /** Tells in-process waiters that the job changed. */
  notify(id: string): void;
  /** Called once the job is finalised (or lost) and no longer tracked. */
  release(id: string): void;
}

/** The store's view of a work's progress, or null. */
export function progressOf(task: BackgroundTask<unknown>): JobProgress | null {
  return task.progress === undefined ? null : progressCopy(task.progress);
}

/** The terminal patch for a task's outcome: JSON result, serialised error, or cancellation. */
export function terminalPatch(
  outcome: TaskOutcome<unknown>,
  reason: string | null,
): TransitionPatch {
  if (outcome.status === 'completed') {
    const json = toJsonResult(outcome.value);
    if (json.ok) return { status: 'completed', result: json.value };
    return {
      status: 'failed',
      error: {
        code: 'NOT_SERIALIZABLE',
        message: `The job's result is not JSON-serialisable: ${json.problem}`,
      },
    };
  }
  if (outcome.status === 'cancelled') {
    return {
      status: 'cancelled',
      error: { code: 'CANCELLED', message: reason ?? outcome.error.message },
    };
  }
  const serialised = serializeError(outcome.error);
  const error: JobError = { code: serialised.code, message: serialised.message };
  if (serialised.data !== undefined && findJsonProblem(serialised.data, new Set()) === undefined)
    error.data = serialised.data as JobError['data'];
  return { status: 'failed', error };
}

/**
 * A job this process owns: renews its lease with heartbeats (carrying the latest progress),
 * follows the work's status, aborts the work when a cancel is requested or ownership is lost,
 * and makes the fenced terminal transition when the work settles.
 */
export class OwnedJob implements Beatable {
  readonly id: string;
  readonly token: string;
  readonly task: BackgroundTask<unknown>;
  /** Settles when the terminal transition is stored (or given up); undefined before settle. */
  finalizing: Promise<void> | undefined;
  private status: JobRecord['status'];
  private statusWrite: Promise<unknown> = Promise.resolve();
  /** The latest progress the store knows of, or will at the next write. */
  private storedProgress: JobProgress | null;
  /** A report not yet copied for the store (copied when written, not on every report). */
  private pendingUpdate: ProgressUpdate | undefined;
  private progressDirty = false;
  private beating = false;
  /** The `BeatScheduler`'s mark. */
  progressQueued = false;
  private cancelReason: string | null = null;
  private interruptReason: string | null = null;
  private readonly context: OwnedJobContext;

  constructor(
    context: OwnedJobContext,
    record: JobRecord,
    token: string,
    task: BackgroundTask<unknown>,
  ) {
    this.context = context;
    this.id = record.id;
    this.token = token;
    this.task = task;
    this.status = record.status;
    this.storedProgress = record.progress;
  }

  /** True until the job is finalising or lost. */
  get wantsBeats(): boolean {
    return this.finalizing === undefined;
  }

  /** The latest progress of the work, as the store will hold it. */
  private currentProgress(): JobProgress | null {
    const update = this.pendingUpdate;
    if (update !== undefined) {
      this.pendingUpdate = undefined;
      this.storedProgress = progressCopy(update);
    }
    return this.storedProgress;
  }

  /** Starts following the work (call once, after the record is stored). */
  start(): void {
    const { task } = this;
    // No unsubscribe is kept: a settled task drops its listeners, and a lost job's work is
    // cancelled at once (progress after that is ignored: `wantsBeats` is false).
    task.onProgress((update) => this.onProgress(update));
    // Only a pending task has a start to follow: an adopted (promoted) task already runs, and
    // its end is followed by `onSettled` below, so it costs no status listener.
    if (task.status === 'pending') {
      task.onStatus((status) => {
        if (status === 'running') this.markRunning();
      });
    } else if (task.status === 'running' && this.status === 'pending') this.markRunning();
    const current = progressOf(task);
    if (current !== null && JSON.stringify(current) !== JSON.stringify(this.storedProgress)) {
      // Reported before this listener existed (a started work's first tick): flush it like any.
      this.storedProgress = current;
      this.progressDirty = true;
      this.context.beats.progressChanged(this);
    }
    this.context.beats.add(this);
    task.onSettled((outcome) => {
      this.finalizing ??= this.finalize(outcome);
    });
  }

  /** Aborts the work because someone asked (cancel flag seen by push or heartbeat). */
  requestCancel(reason: string | null): void {
    if (this.finalizing !== undefined) return;
    this.cancelReason = reason ?? 'The job was cancelled';
    this.task.cancel(this.cancelReason);
  }

  /**
   * Its owner is stopping: if the work ends cancelled without anyone asking for a cancel, the job
   * is recorded `interrupted` with `reason` (call before the work is aborted).
   */
  markInterrupted(reason: string): void {
    this.interruptReason = reason;
  }

  /** Aborts the work now and records the job `interrupted` with `reason`. */
  interrupt(reason: string): void {
    if (this.finalizing !== undefined) return;
    this.interruptReason = reason;
    this.task.cancel(reason);
  }

  /** Aborts the work because the job is no longer ours (reaped, fenced out, deleted). */
  lose(why: string): void {
    if (this.finalizing !== undefined) return;
    this.context.logger.warn(`[@sa/jobs] job ${this.id}: ${why}; stopping its work`);
    this.finalizing = Promise.resolve();
    this.task.cancel(`The job is no longer owned by this process: ${why}`);
    this.context.release(this.id);
  }

  private onProgress(update: ProgressUpdate): void {
    this.pendingUpdate = update;
    this.progressDirty = true;
    this.context.beats.progressChanged(this);
  }

  /** Pending → running in the store, when a queued task begins (not core's "promoted"). */
  private markRunning(): void {
    if (this.status !== 'pending') return;
    this.status = 'running';
    const startedAt = this.task.startedAt;
    this.statusWrite = retryStoreCall(
      () =>
        this.context.lane.run(
          () =>
            this.context.store.transition(
              this.id,
              { from: 'pending', ownerToken: this.token },
              {
                status: 'running',
                leaseMs: this.context.leaseMs,
                ...(startedAt === undefined ? {} : { startedAt }),
              },
            ),
          'record',
        ),
      {
        timers: this.context.timers,
        logger: this.context.logger,
        what: `marking job ${this.id} running`,
        shouldStop: () => this.finalizing !== undefined || this.context.abandoned(),
      },
    ).then(
      (result) => {
        this.context.notify(this.id);
        if (!result.ok && result.current !== undefined && isTerminalStatus(result.current.status))
          this.lose(`it became ${result.current.status} before it could run`);
      },
      () => undefined,
    );
  }

  /**
   * Renews the lease, with the latest progress when it changed (the scheduler calls it); a
   * `'progress'` beat does nothing when a heartbeat already wrote the progress.
   */
  async beat(kind: 'lease' | 'progress'): Promise<void> {
    if (this.beating || this.finalizing !== undefined) return;
    if (kind === 'progress' && !this.progressDirty) return;
    this.beating = true;
    const progress = this.progressDirty ? this.currentProgress() : undefined;
    this.progressDirty = false;
    try {
      const result = await this.context.store.heartbeat(this.id, this.token, {
        leaseMs: this.context.leaseMs,
        ...(progress === undefined ? {} : { progress }),
      });
      if (this.finalizing !== undefined) return;
      if (!result.ok) {
        const record = result.record;
        this.lose(
          record === undefined
            ? 'it was deleted from the store'
            : isTerminalStatus(record.status)
              ? `it became ${record.status} in the store`
              : 'another owner took it over',
        );
        return;
      }
      if (progress !== undefined) this.context.notify(this.id);
      if (result.cancelRequested) this.requestCancel(result.record?.cancelReason ?? null);
    } catch (error) {
      if (progress !== undefined) this.progressDirty = true;
      const message = error instanceof Error ? error.message : String(error);
      this.context.logger.warn(
        `[@sa/jobs] heartbeat of job ${this.id} failed, will retry: ${message}`,
      );
    } finally {
      this.beating = false;
      if (this.progressDirty) this.context.beats.progressChanged(this);
    }
  }

  private async finalize(outcome: TaskOutcome<unknown>): Promise<void> {
    try {
      await this.statusWrite;
      await this.context.output.flush(this.id);
      let patch: TransitionPatch = {
        ...(this.interruptReason !== null &&
        this.cancelReason === null &&
        outcome.status === 'cancelled'
          ? { status: 'interrupted', error: { code: 'INTERRUPTED', message: this.interruptReason } }
          : terminalPatch(outcome, this.cancelReason)),
        progress: this.currentProgress(),
      };
      const result = await this.writeTerminal(patch).catch(async (error: unknown) => {
        if (!isSaError(error, 'INVALID_ARGUMENT') || patch.status !== 'completed') throw error;
        // The store refused the result: record why instead of losing the job.
        patch = {
          status: 'failed',
          error: {
            code: 'NOT_SERIALIZABLE',
            message: `The store refused the job's result: ${error.message}`,
          },
        };
        return this.writeTerminal(patch);
      });
      if (!result.ok && result.current?.status !== patch.status) {
        this.context.logger.warn(
          `[@sa/jobs] job ${this.id} could not be marked ${patch.status}: ${result.reason}` +
            (result.current === undefined ? '' : ` (it is ${result.current.status})`),
        );
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.context.logger.warn(`[@sa/jobs] gave up finishing job ${this.id}: ${message}`);
    } finally {
      this.context.notify(this.id);
      this.context.release(this.id);
    }
  }

  private writeTerminal(patch: TransitionPatch): Promise<TransitionResult> {
    const status = patch.status as 'completed' | 'failed' | 'cancelled' | 'interrupted';
    const ttlMs = this.context.retention[status];
    return retryStoreCall(
      () =>
        this.context.lane.run(
          () =>
            this.context.store.transition(
              this.id,
              { from: ['pending', 'running'], ownerToken: this.token },
              { ...patch, ttlMs },
            ),
          'record',
        ),
      {
        timers: this.context.timers,
        logger: this.context.logger,
        what: `marking job ${this.id} ${status}`,
        shouldStop: () => this.context.abandoned(),
      },
    );
  }
}
