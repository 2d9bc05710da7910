import { DueQueue } from './due-queue';

/**
 * How many store writes of one manager run at once. Enough to keep a remote store's pipeline
 * and the file store's fsyncs (on libuv's four threads) busy; few enough that one turn of the
 * event loop handles a bounded number of completions.
 */
export const defaultStoreWritesInFlight = 32;

/**
 * A bounded lane for one manager's store writes (creates, heartbeats, progress, terminal
 * transitions): at most `limit` run at once, the rest wait in order. Without it, 10,000 jobs
 * promoted, heartbeating or finishing together started 10,000 writes at once, and their
 * synchronous steps (the file store's opens, renames, links) ran in a few turns of the event
 * loop that each blocked it for hundreds of milliseconds. The lane keeps each turn short; the
 * throughput stays the store's.
 */
export class StoreLane {
  readonly #limit: number;
  readonly #waiting = new DueQueue<() => void>();
  #running = 0;

  constructor(limit: number = defaultStoreWritesInFlight) {
    this.#limit = limit;
  }

  /** How many writes run now. */
  get running(): number {
    return this.#running;
  }

  /** How many writes wait for a free place. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** Runs `write` when a place is free; settles as it does. */
  run<T>(write: () => Promise<T>): Promise<T> {
    if (this.#running < this.#limit) return this.#start(write);
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push(() => {
        this.#start(write).then(resolve, reject);
      }, 0);
    });
  }

  #start<T>(write: () => Promise<T>): Promise<T> {
    this.#running += 1;
    let written: Promise<T>;
    try {
      written = write();
    } catch (error) {
      written = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return written.finally(() => {
      this.#running -= 1;
      this.#waiting.shift()?.();
    });
  }
}
