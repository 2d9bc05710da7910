/**
 * The exit codes of `sa-jobs`, for scripts. A command that fails for several reasons (e.g.
 * `cancel` of many ids) exits with the highest code that applies.
 */
export const exitCodes = {
  /** Done. */
  ok: 0,
  /** An unexpected failure (a bug, an I/O error): the message says what. */
  failure: 1,
  /** Bad usage or input: unknown option, bad filter, malformed id or duration. */
  usage: 2,
  /** `tail`: the job ended, but not `completed` (failed, cancelled or interrupted). */
  jobNotCompleted: 3,
  /** A job id names no job. */
  notFound: 4,
  /** The store refused: cancel of a finished job; a dashboard bind without a token. */
  refused: 5,
  /** The store could not be reached or opened (no file store there, Redis or PostgreSQL down). */
  storeUnavailable: 6,
} as const;

/** One of the values of `exitCodes`. */
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];
