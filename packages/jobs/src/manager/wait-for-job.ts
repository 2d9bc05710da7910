import { CancelledError, ClosedError, InvalidArgumentError, NotFoundError } from '@sa/core';
import type { Timers } from '@sa/core';
import { isTerminalStatus } from '../job-record';
import type { JobRecord } from '../job-record';
import type { JobManagerOptions, WaitOptions } from '../job-manager-types';
import type { JobStore } from '../job-store';
import { onAbortShared } from './abort-listeners';
import { startBackgroundTimer } from './manager-timers';
import { isPermanentStoreError } from './retry-store-call';
import { assertJobId, assertScope } from '../validate-arguments';

/** What `waitForJob` needs from the manager. */
export interface WaitContext {
  store: JobStore;
  timers: Timers;
  /** Polling fallback interval (`JobManagerOptions.waitPollMs`). */
  pollMs: NonNullable<JobManagerOptions['waitPollMs']>;
  /** Subscribes to in-process notifications of a job's changes; returns an unsubscribe function. */
  watchLocal(id: string, listener: () => void): () => void;
  /** Aborts when the manager closes: pending waits then reject with `CLOSED`. */
  closeSignal: AbortSignal;
}

async function outputEnd(store: JobStore, id: string): Promise<number> {
  const [stdout, stderr] = await Promise.all([
    store.readOutput(id, 'stdout', { maxBytes: 1, offset: 0 }),
    store.readOutput(id, 'stderr', { maxBytes: 1, offset: 0 }),
  ]);
  return stdout.endOffset + stderr.endOffset;
}

function validateWaitOptions(id: unknown, options: WaitOptions): void {
  assertJobId(id);
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('Invalid options: expected { timeoutMs }', {
      data: { field: 'options' },
    });
  const { timeoutMs, until, scope, signal } = options;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0)
    throw new InvalidArgumentError(
      `Invalid timeoutMs: expected a number >= 0, got ${String(timeoutMs)}`,
      {
        data: { field: 'timeoutMs' },
      },
    );
  if (until !== undefined && until !== 'settled' && until !== 'change')
    throw new InvalidArgumentError(
      `Invalid until: expected "settled" or "change", got ${String(until)}`,
      {
        data: { field: 'until' },
      },
    );
  if (scope !== undefined) assertScope('scope', scope);
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new InvalidArgumentError('Invalid signal: expected an AbortSignal', {
      data: { field: 'signal' },
    });
}

/** The `CANCELLED` error of a wait whose signal aborted; the signal's reason is its `cause`. */
function waitAbortedError(id: string, signal: AbortSignal): CancelledError {
  const reason: unknown = signal.reason;
  const detail = reason instanceof Error ? `: ${reason.message}` : '';
  return new CancelledError(`The wait for job ${id} was aborted${detail}`, { cause: reason });
}

/**
 * Resolves with the job's record once it is terminal (or, with `until: 'change'`, once its version
 * or output moved since the call), or at the timeout. Event driven (store hints and in-process
 * notifications), with a bounded polling fallback; it subscribes before its first read, so a
 * completion that happened before the call is never missed. An aborted `signal` rejects with
 * `CANCELLED` (its reason as `cause`), as `@sa/core` does for an aborted request.
 */
export async function waitForJob(
  context: WaitContext,
  id: string,
  options: WaitOptions,
): Promise<JobRecord> {
  validateWaitOptions(id, options);
  const { signal } = options;
  if (signal?.aborted === true) throw waitAbortedError(id, signal);
  if (context.closeSignal.aborted) throw new ClosedError('The job manager is closed');
  const wait = new JobWait(context, id, options);
  try {
    return await wait.run();
  } finally {
    wait.dispose();
  }
}

/**
 * One wait, as an object with named steps rather than one function with mutable locals: it
 * subscribes, reads once, then re-reads on each hint or poll until the condition holds, the
 * timeout passes, the signal aborts or the manager closes; `dispose` undoes everything.
 */
class JobWait {
  readonly #context: WaitContext;
  readonly #id: string;
  readonly #options: WaitOptions;
  readonly #until: 'settled' | 'change';
  readonly #getOptions: { scope: string | null } | undefined;
  readonly #cleanups: (() => void)[] = [];
  readonly #done: Promise<JobRecord>;
  #finish!: (record: JobRecord) => void;
  #fail!: (error: unknown) => void;
  /** True once the wait resolved, rejected or was disposed: later reads change nothing. */
  #settled = false;
  /** A read is under way; hints that arrive meanwhile ask for one more (`#again`). */
  #checking = false;
  #again = false;
  #outputHint = false;
  /** The latest record read: what the timeout answers when a last read fails. */
  #last: JobRecord | undefined;
  /** For `until: 'change'`: the version and output end at the first read. */
  #baseline: { version: number; output: number } | undefined;

  constructor(context: WaitContext, id: string, options: WaitOptions) {
    this.#context = context;
    this.#id = id;
    this.#options = options;
    this.#until = options.until ?? 'settled';
    this.#getOptions = options.scope === undefined ? undefined : { scope: options.scope };
    this.#done = new Promise<JobRecord>((resolve, reject) => {
      this.#finish = resolve;
      this.#fail = reject;
    });
  }

  async run(): Promise<JobRecord> {
    this.#subscribe();
    const record = await this.#read();
    if (record === undefined) throw new NotFoundError(`Job ${this.#id} not found`);
    this.#last = record;
    if (isTerminalStatus(record.status)) return record;
    if (this.#until === 'change')
      this.#baseline = { version: record.version, output: await this.#outputEnd() };
    if (this.#options.timeoutMs === 0) return (await this.#read()) ?? record;
    this.#listenForEnds(record);
    this.#schedulePoll();
    // Anything that changed between the subscription and now is caught by this check.
    this.#hint(true);
    return this.#done;
  }

  dispose(): void {
    this.#settled = true;
    for (const cleanup of this.#cleanups) cleanup();
  }

  #read(): Promise<JobRecord | undefined> {
    return this.#context.store.get(this.#id, this.#getOptions);
  }

  #outputEnd(): Promise<number> {
    return outputEnd(this.#context.store, this.#id);
  }

  #deleted(): void {
    if (!this.#settled)
      this.#fail(new NotFoundError(`Job ${this.#id} not found (it was deleted while waiting)`));
  }

  /** Store hints and in-process notifications, both before the first read. */
  #subscribe(): void {
    this.#cleanups.push(
      this.#context.store.subscribe(
        (event) => {
          if (event.type === 'deleted') this.#deleted();
          else this.#hint(event.type === 'output');
        },
        { id: this.#id },
      ),
    );
    this.#cleanups.push(this.#context.watchLocal(this.#id, () => this.#hint(false)));
  }

  /** The manager's close, the caller's signal and the timeout. */
  #listenForEnds(first: JobRecord): void {
    const { closeSignal, timers } = this.#context;
    const { signal } = this.#options;
    // One shared listener per signal however many waits are pending (no MaxListeners warning).
    this.#cleanups.push(
      onAbortShared(closeSignal, () =>
        this.#fail(new ClosedError('The job manager closed while waiting')),
      ),
    );
    if (signal !== undefined)
      this.#cleanups.push(
        onAbortShared(signal, () => this.#fail(waitAbortedError(this.#id, signal))),
      );
    const timeout = startBackgroundTimer(
      timers,
      () => {
        this.#read().then(
          (current) => this.#finish(current ?? this.#last ?? first),
          () => this.#finish(this.#last ?? first),
        );
      },
      this.#options.timeoutMs,
    );
    this.#cleanups.push(() => timers.clearTimeout(timeout));
  }

  #schedulePoll(): void {
    const { timers, pollMs } = this.#context;
    let poll: unknown;
    const schedule = (): void => {
      poll = startBackgroundTimer(
        timers,
        () => {
          this.#hint(true);
          schedule();
        },
        pollMs,
      );
    };
    schedule();
    this.#cleanups.push(() => timers.clearTimeout(poll));
  }

  #hint(readOutput: boolean): void {
    void this.#check(readOutput);
  }

  async #conditionHolds(record: JobRecord, readOutput: boolean): Promise<boolean> {
    if (isTerminalStatus(record.status)) return true;
    const baseline = this.#baseline;
    if (this.#until === 'settled' || baseline === undefined) return false;
    if (record.version !== baseline.version) return true;
    if (!readOutput) return false;
    return (await this.#outputEnd()) > baseline.output;
  }

  /** Re-reads the job (once more for hints that came during a read) and settles when it may. */
  async #check(readOutput: boolean): Promise<void> {
    if (this.#settled) return;
    if (this.#checking) {
      this.#again = true;
      this.#outputHint ||= readOutput;
      return;
    }
    this.#checking = true;
    try {
      do {
        this.#again = false;
        const withOutput = readOutput || this.#outputHint;
        this.#outputHint = false;
        const record = await this.#read();
        if (this.#settled) return;
        if (record === undefined) {
          this.#deleted();
          return;
        }
        this.#last = record;
        if (await this.#conditionHolds(record, withOutput)) {
          this.#finish(record);
          return;
        }
      } while (this.#again && !this.#settled);
    } catch (error) {
      // A store that is closed or refuses the id will not recover: say so now. Other failed
      // reads (an outage) are retried by the next hint or poll; the timeout bounds the wait.
      if (isPermanentStoreError(error)) this.#fail(error);
    } finally {
      this.#checking = false;
    }
  }
}
