import { defaultTimers, type Timers } from '@sa/core';

/** Options of the job tools (`smart.jobTools(options)`, `registerJobTools`). */
export interface JobToolsOptions {
  /** Prefix of the tool names, e.g. `py_` for `py_job_status` (default ""). */
  prefix?: string;
  /** Every caller sees every job (default false: scoped to auth subject or session). */
  sharedJobs?: boolean;
  /** Cap of `wait_seconds` (default 25, below hosts' usual 60 s request timeout). */
  maxWaitSeconds?: number;
  /**
   * After a waiting status call wakes on a change of a job that has not ended, how long it
   * waits for the job to end before answering (default 200 ms), so a script that prints its
   * last line and exits answers `completed` with its result in the same call, and progress
   * and output arriving together answer once. 0 answers at the first change.
   */
  settleMs?: number;
  /** Gap between keep-alive progress notifications while a status call waits (default 5 s). */
  keepAliveIntervalMs?: number;
  /** How long a cancel waits for a running job to stop before answering (default 5 s). */
  cancelWaitMs?: number;
  /** Serve native MCP tasks (`tasks/*`) from the same jobs and advertise the capability. */
  tasks?: boolean;
  /** Injectable timers for the keep-alive notifications and the settle window. */
  timers?: Timers;
}

/** Job tool options with every default filled in. */
export interface ResolvedJobToolsOptions {
  prefix: string;
  sharedJobs: boolean;
  maxWaitSeconds: number;
  settleMs: number;
  keepAliveIntervalMs: number;
  cancelWaitMs: number;
  timers: Timers;
}

/** Default settle window of a waiting status call: 200 ms. */
export const defaultSettleMs = 200;

/** Fills in the defaults of the job tool options. */
export function resolveJobToolsOptions(options: JobToolsOptions): ResolvedJobToolsOptions {
  return {
    prefix: options.prefix ?? '',
    sharedJobs: options.sharedJobs ?? false,
    maxWaitSeconds: options.maxWaitSeconds ?? 25,
    settleMs: options.settleMs ?? defaultSettleMs,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? 5000,
    cancelWaitMs: options.cancelWaitMs ?? 5000,
    timers: options.timers ?? defaultTimers,
  };
}
