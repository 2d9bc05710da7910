import type { Timers } from '@sa/core';
import { DueQueue } from './due-queue';
import { startBackgroundTimer } from './manager-timers';

/**
 * What a store write is for, most urgent first: renewing a lease (late, the job is lost),
 * storing a record change (creates and transitions: someone waits for them), writing progress
 * (best effort: it is coalesced, and the next heartbeat carries it anyway).
 */
export type StoreWritePriority = 'lease' | 'record' | 'progress';

const priorities: readonly StoreWritePriority[] = ['lease', 'record', 'progress'];

/**
 * Writes that wait outside the lane until it has room: the lane takes them one at a time, so a
 * backlog of 10,000 costs 10,000 queue slots, not 10,000 closures and promises.
 */
export interface StoreWriteSource {
  /** How many writes wait. */
  readonly size: number;
  /** The next write (called only when `size > 0`), started by the lane at once. */
  take(): () => Promise<unknown>;
}

/** Options of a `StoreLane`. */
export interface StoreLaneOptions {
  /** Timers for the turn the lane yields (the manager's). */
  timers: Timers;
  /** Most writes in flight at once (default `defaultStoreWritesInFlight`). */
  limit?: number;
  /** Most writes started before the lane lets the event loop turn (default: `limit`). */
  startsPerTurn?: number;
}

/**
 * How many store writes of one manager run at once: enough to keep a remote store's pipeline
 * and the file store's fsyncs (on libuv's four threads) busy.
 */
export const defaultStoreWritesInFlight = 64;

/**
 * A bounded, prioritised lane for one manager's store writes. Without it, 10,000 jobs promoted,
 * heartbeating or finishing together started 10,000 writes at once: their synchronous steps
 * (the file store's opens, links, reads) ran back to back, blocking the event loop for seconds,
 * and heartbeats waited behind everything else until leases expired. Here at most `limit`
 * writes run, lease renewals go first, and after `startsPerTurn` starts the lane lets the
 * event loop turn before it starts more.
 */
export class StoreLane {
  readonly #timers: Timers;
  readonly #limit: number;
  readonly #startsPerTurn: number;
  readonly #waiting = new Map<StoreWritePriority, DueQueue<() => void>>(
    priorities.map((priority) => [priority, new DueQueue<() => void>()]),
  );
  readonly #sources = new Map<StoreWritePriority, StoreWriteSource>();
  #running = 0;
  #waitingCount = 0;
  #startsSinceTurn = 0;
  #turnTimer: unknown;

  constructor(options: StoreLaneOptions) {
    this.#timers = options.timers;
    this.#limit = options.limit ?? defaultStoreWritesInFlight;
    this.#startsPerTurn = options.startsPerTurn ?? this.#limit;
  }

  /** How many writes run now. */
  get running(): number {
    return this.#running;
  }

  /** How many writes wait for a free place (those of the sources included). */
  get waiting(): number {
    let waiting = this.#waitingCount;
    for (const source of this.#sources.values()) waiting += source.size;
    return waiting;
  }

  /** Takes writes of `priority` from `source` whenever there is room (one source per priority). */
  addSource(priority: StoreWritePriority, source: StoreWriteSource): void {
    this.#sources.set(priority, source);
  }

  /** A source has new writes: start what there is room for. */
  wake(): void {
    this.#startWaiting();
  }

  /** Runs `write` when a place is free (sooner than lower priorities); settles as it does. */
  run<T>(write: () => Promise<T>, priority: StoreWritePriority = 'record'): Promise<T> {
    if (this.waiting === 0 && this.#canStart()) return this.#start(write);
    return new Promise<T>((resolve, reject) => {
      this.#waiting.get(priority)!.push(() => {
        this.#start(write).then(resolve, reject);
      }, 0);
      this.#waitingCount += 1;
      this.#scheduleTurn();
    });
  }

  /** Forgets the lane's turn timer (the manager is closing); writes under way finish. */
  close(): void {
    if (this.#turnTimer !== undefined) this.#timers.clearTimeout(this.#turnTimer);
    this.#turnTimer = undefined;
  }

  #canStart(): boolean {
    return this.#running < this.#limit && this.#startsSinceTurn < this.#startsPerTurn;
  }

  #start<T>(write: () => Promise<T>): Promise<T> {
    this.#running += 1;
    this.#startsSinceTurn += 1;
    let written: Promise<T>;
    try {
      written = write();
    } catch (error) {
      written = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return written.finally(() => {
      this.#running -= 1;
      if (this.#running === 0 && this.waiting === 0) this.#startsSinceTurn = 0;
      this.#startWaiting();
    });
  }

  #startWaiting(): void {
    while (this.#canStart() && this.#startNext()) {
      // Started one; look for the next.
    }
    this.#scheduleTurn();
  }

  /** Starts the most urgent waiting write; false when none waits. */
  #startNext(): boolean {
    for (const priority of priorities) {
      const next = this.#waiting.get(priority)!.shift();
      if (next !== undefined) {
        this.#waitingCount -= 1;
        next();
        return true;
      }
      const source = this.#sources.get(priority);
      if (source !== undefined && source.size > 0) {
        // The source's writes report their own failures: nothing waits on this promise.
        this.#start(source.take()).catch(() => undefined);
        return true;
      }
    }
    return false;
  }

  /** Writes wait only because this turn's starts are used up: start more after the loop turns. */
  #scheduleTurn(): void {
    if (this.#turnTimer !== undefined || this.waiting === 0) return;
    if (this.#startsSinceTurn < this.#startsPerTurn) return;
    this.#turnTimer = startBackgroundTimer(
      this.#timers,
      () => {
        this.#turnTimer = undefined;
        this.#startsSinceTurn = 0;
        this.#startWaiting();
      },
      0,
    );
  }
}
