export type {
  ProgressUpdate,
  WorkContext,
  Work,
  TaskStatus,
  Timers,
  ProgressListener,
  ProgressListenerOptions,
  TaskOutcome,
  BackgroundTask,
  RunWithBudgetOptions,
  BudgetResult,
  StartInBackgroundOptions,
  RunnerOptions,
  RunnerCloseResult,
  Runner,
} from './types';
export {
  SaError,
  isSaError,
  CancelledError,
  ClosedError,
  InvalidArgumentError,
  NotFoundError,
  ConflictError,
  StoreUnavailableError,
  serializeError,
} from './errors';
export type { SaErrorCode, SaErrorOptions } from './errors';
export { defaultTimers, maxTimerDelayMs, clampTimerDelay } from './default-timers';
export { runWithBudget } from './run-with-budget';
export { startInBackground } from './start-in-background';
export { reportProgress } from './report-progress';
export { createRunner } from './runner';
export { createCoalescer } from './coalesce';
export type { Coalescer, CoalescerOptions } from './coalesce';
