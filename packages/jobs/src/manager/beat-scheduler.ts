import type { Timers } from '@sa/core';
import { DueQueue } from './due-queue';
import { startBackgroundTimer } from './manager-timers';
import type { StoreLane } from './store-lane';

/** An owned job as the scheduler sees it. */
export interface Beatable {
  /** Renews the lease and writes the latest progress if it changed; never rejects. */
  beat(): Promise<void>;
  /** False once the job is finalising or lost: the scheduler drops it. */
  readonly wantsBeats: boolean;
  /** The scheduler's mark: a progress write is queued for this job. */
  progressQueued: boolean;
}

/** Options of a `BeatScheduler`. */
export interface BeatSchedulerOptions {
  timers: Timers;
  now(): number;
  /** A job's lease is renewed this long after its previous heartbeat ended. */
  heartbeatMs: number;
  /** A progress report is written this long after it arrives (coalesced: one write per job). */
  progressFlushMs: number;
  /** Where the writes run. */
  lane: StoreLane;
}

/**
 * Every owned job's heartbeats and progress writes on one timer. Each job used to hold two
 * timers of its own (heartbeat and progress flush) and start its write the moment one fired;
 * with 10,000 jobs started together, that was 20,000 timers and bursts of 10,000 writes. Here
 * the due times wait in two queues (in due order, since every delay is the same constant), one
 * timer is armed for the earliest, and the writes run through the manager's `StoreLane`.
 */
export class BeatScheduler {
  readonly #options: BeatSchedulerOptions;
  readonly #heartbeats = new DueQueue<Beatable>();
  readonly #flushes = new DueQueue<Beatable>();
  #timer: unknown;
  #armedFor = Number.POSITIVE_INFINITY;
  #closed = false;

  constructor(options: BeatSchedulerOptions) {
    this.#options = options;
  }

  /** Starts renewing `job`'s lease every `heartbeatMs`. */
  add(job: Beatable): void {
    this.#scheduleHeartbeat(job);
  }

  /** Writes `job`'s progress within `progressFlushMs` (nothing more if a write is queued). */
  progressChanged(job: Beatable): void {
    if (job.progressQueued || !job.wantsBeats || this.#closed) return;
    job.progressQueued = true;
    this.#flushes.push(job, this.#options.now() + this.#options.progressFlushMs);
    this.#arm();
  }

  /** Stops every heartbeat and queued progress write (the manager is closing). */
  close(): void {
    this.#closed = true;
    this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#heartbeats.clear();
    this.#flushes.clear();
  }

  #scheduleHeartbeat(job: Beatable): void {
    if (!job.wantsBeats || this.#closed) return;
    this.#heartbeats.push(job, this.#options.now() + this.#options.heartbeatMs);
    this.#arm();
  }

  #arm(): void {
    const due = Math.min(this.#heartbeats.peekDue(), this.#flushes.peekDue());
    if (due >= this.#armedFor || due === Number.POSITIVE_INFINITY) return;
    if (this.#timer !== undefined) this.#options.timers.clearTimeout(this.#timer);
    this.#armedFor = due;
    this.#timer = startBackgroundTimer(
      this.#options.timers,
      () => this.#fire(due),
      Math.max(0, due - this.#options.now()),
    );
  }

  /** The timer armed for `at` fired: everything due by then is written (trusting the timer, not the clock). */
  #fire(at: number): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const { lane } = this.#options;
    while (this.#heartbeats.peekDue() <= at) {
      const job = this.#heartbeats.shift()!;
      if (!job.wantsBeats) continue;
      const next = (): void => this.#scheduleHeartbeat(job);
      lane.run(() => job.beat()).then(next, next);
    }
    while (this.#flushes.peekDue() <= at) {
      const job = this.#flushes.shift()!;
      job.progressQueued = false;
      if (job.wantsBeats) void lane.run(() => job.beat());
    }
    this.#arm();
  }
}
