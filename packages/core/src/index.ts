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
