import { AsyncLocalStorage } from 'node:async_hooks';
import type { ProgressUpdate } from './types';

/** What the running work's async context holds: something that takes its progress. */
export interface ProgressSink {
  report(update: ProgressUpdate): void;
}

/** The async context of running works; each work runs inside its own store. */
export const workStorage = new AsyncLocalStorage<ProgressSink>();

/**
 * Reports progress for the work whose async call tree this runs in; a no-op outside any work.
 *
 * @example
 * await runWithBudget(async () => {
 *   for (let index = 0; index < 10; index++) {
 *     await step(index);
 *     reportProgress({ progress: index + 1, total: 10 });
 *   }
 * }, { budgetMs: 1000 });
 */
export function reportProgress(update: ProgressUpdate): void {
  workStorage.getStore()?.report(update);
}
