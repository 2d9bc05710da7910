import type { Timers } from '@sa/core';
import { DueQueue } from './due-queue';
import { startBackgroundTimer } from './manager-timers';
import type { StoreLane, StoreWriteSource } from './store-lane';

/** An owned job as the scheduler sees it. */
export interface Beatable {
  /**
   * Renews the lease and writes the latest progress if it changed (`'progress'`: only if it
   * changed); never rejects.
   */
  beat(kind: 'lease' | 'progress'): Promise<void>;
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
  /** Where the writes run: heartbeats as `'lease'` writes, progress as `'progress'` writes. */
  lane: StoreLane;
}

/**
 * Every owned job's heartbeats and progress writes on one timer. Each job used to hold two
 * timers of its own (heartbeat and progress flush) and start its write the moment one fired;
 * with 10,000 jobs started together, that was 20,000 timers and bursts of 10,000 writes. Here
 * the due times wait in two queues (in due order, since every delay is the same constant), one
 * timer is armed for the earliest, and the jobs that are due wait (as themselves, not as
 * closures) until the manager's `StoreLane` has room, heartbeats first.
 */
export class BeatScheduler {
  readonly #options: BeatSchedulerOptions;
  readonly #heartbeats = new DueQueue<Beatable>();
  readonly #flushes = new DueQueue<Beatable>();
  readonly #leasesDue = new DueQueue<Beatable>();
  readonly #progressDue = new DueQueue<Beatable>();
  #timer: unknown;
  #armedFor = Number.POSITIVE_INFINITY;
  #closed = false;

  constructor(options: BeatSchedulerOptions) {
    this.#options = options;
    options.lane.addSource('lease', this.#source(this.#leasesDue, 'lease'));
    options.lane.addSource('progress', this.#source(this.#progressDue, 'progress'));
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
    for (const queue of [this.#heartbeats, this.#flushes, this.#leasesDue, this.#progressDue])
      queue.clear();
  }

  #source(due: DueQueue<Beatable>, kind: 'lease' | 'progress'): StoreWriteSource {
    return {
      get size() {
        return due.size;
      },
      take: () => {
        const job = due.shift()!;
        if (kind === 'progress') {
          job.progressQueued = false;
          return () => job.beat('progress');
        }
        return () =>
          job.beat('lease').finally(() => {
            this.#scheduleHeartbeat(job);
          });
      },
    };
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

  /** The timer armed for `at` fired: everything due by then goes to the lane (trusting the timer, not the clock). */
  #fire(at: number): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    while (this.#heartbeats.peekDue() <= at) {
      const job = this.#heartbeats.shift()!;
      if (job.wantsBeats) this.#leasesDue.push(job, at);
    }
    while (this.#flushes.peekDue() <= at) {
      const job = this.#flushes.shift()!;
      if (job.wantsBeats) this.#progressDue.push(job, at);
      else job.progressQueued = false;
    }
    this.#options.lane.wake();
    this.#arm();
  }
}
