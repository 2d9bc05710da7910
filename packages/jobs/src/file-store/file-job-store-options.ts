/** Options for `createFileJobStore`. */
export interface FileJobStoreOptions {
  /** The folder holding the store (created if absent). Several processes may share it. */
  directory: string;
  /** The store's clock for every stored time (default `Date.now`). */
  clock?: { now(): number };
  /** Output bytes kept per job and stream; older bytes are dropped and counted (default 1 MiB). */
  maxOutputBytes?: number;
  /** Where warnings go (quarantined records, failed hints); default `console.warn` (stderr). */
  logger?: { warn(message: string): void };
  /** How often subscribers poll for other processes' changes, backing up `fs.watch` (default 250 ms). */
  pollIntervalMs?: number;
  /** Give up waiting for another process's lock after this long (default 15 s). */
  lockTimeoutMs?: number;
}
