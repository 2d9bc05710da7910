import type { Timers } from '@sa/core';

/** Options of `registerJobTools`. */
export interface JobToolsOptions {
  /** Prefix of the tool names, e.g. `py_` for `py_job_status` (default ""). */
  prefix?: string;
  /** Every caller sees every job (default false: scoped to auth subject or session). */
  sharedJobs?: boolean;
  /** Cap of `wait_seconds` (default 25, below hosts' usual 60 s request timeout). */
  maxWaitSeconds?: number;
  /** Gap between keep-alive progress notifications while a status call waits (default 5 s). */
  keepAliveIntervalMs?: number;
  /** How long a cancel waits for a running job to stop before answering (default 5 s). */
  cancelWaitMs?: number;
  /** Serve native MCP tasks (`tasks/*`) from the same jobs and advertise the capability. */
  tasks?: boolean;
  /** Injectable timers for the keep-alive notifications. */
  timers?: Timers;
}

/** Job tool options with every default filled in. */
export interface ResolvedJobToolsOptions {
  prefix: string;
  sharedJobs: boolean;
  maxWaitSeconds: number;
  keepAliveIntervalMs: number;
  cancelWaitMs: number;
  timers: Timers;
}

/** Fills in the defaults of the job tool options. */
export function resolveJobToolsOptions(options: JobToolsOptions): ResolvedJobToolsOptions {
  return {
    prefix: options.prefix ?? '',
    sharedJobs: options.sharedJobs ?? false,
    maxWaitSeconds: options.maxWaitSeconds ?? 25,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? 5000,
    cancelWaitMs: options.cancelWaitMs ?? 5000,
    timers: options.timers ?? {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    },
  };
}
