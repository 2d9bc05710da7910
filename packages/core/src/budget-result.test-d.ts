import { describe, expectTypeOf, it } from 'vitest';
import { createRunner, runWithBudget, startInBackground } from './index';
import type {
  BackgroundTask,
  BudgetResult,
  ProgressUpdate,
  TaskOutcome,
  TaskStatus,
  WorkContext,
} from './index';

describe('BudgetResult', () => {
  it('is a union narrowed by status', () => {
    expectTypeOf<BudgetResult<number>>().toEqualTypeOf<
      { status: 'completed'; value: number } | { status: 'promoted'; task: BackgroundTask<number> }
    >();
    const outcome = {} as BudgetResult<string>;
    if (outcome.status === 'completed') {
      expectTypeOf(outcome.value).toEqualTypeOf<string>();
      expectTypeOf(outcome).not.toHaveProperty('task');
    } else {
      expectTypeOf(outcome.status).toEqualTypeOf<'promoted'>();
      expectTypeOf(outcome.task).toEqualTypeOf<BackgroundTask<string>>();
      expectTypeOf(outcome).not.toHaveProperty('value');
    }
  });

  it('carries the work value type through runWithBudget and the runner', () => {
    const work = ({ signal }: WorkContext): Promise<number> =>
      Promise.resolve(signal.aborted ? 0 : 1);
    expectTypeOf(runWithBudget(work, { budgetMs: 10 })).toEqualTypeOf<
      Promise<BudgetResult<number>>
    >();
    const runner = createRunner({ concurrency: 1 });
    expectTypeOf(runner.runWithBudget(() => Promise.resolve('x'), { budgetMs: 10 })).toEqualTypeOf<
      Promise<BudgetResult<string>>
    >();
    expectTypeOf(runner.startInBackground(() => Promise.resolve(true))).toEqualTypeOf<
      BackgroundTask<boolean>
    >();
  });

  it('accepts a work that returns a plain value, undefined included, with the same value type', () => {
    expectTypeOf(runWithBudget(() => 1, { budgetMs: 1 })).toEqualTypeOf<
      Promise<BudgetResult<number>>
    >();
    expectTypeOf(runWithBudget(() => undefined, { budgetMs: 1 })).toEqualTypeOf<
      Promise<BudgetResult<undefined>>
    >();
    expectTypeOf(startInBackground(() => Promise.resolve('x'))).toEqualTypeOf<
      BackgroundTask<string>
    >();
  });

  it('rejects options without budgetMs', () => {
    // @ts-expect-error budgetMs is required
    void runWithBudget(() => Promise.resolve(1), {});
    // @ts-expect-error onRequestAbort is 'cancel' or 'promote'
    void runWithBudget(() => Promise.resolve(1), { budgetMs: 1, onRequestAbort: 'ignore' });
  });
});

describe('BackgroundTask', () => {
  it('exposes typed status, result, progress and outcomes', () => {
    const task = startInBackground(() => Promise.resolve({ rows: 3 }));
    expectTypeOf(task.status).toEqualTypeOf<TaskStatus>();
    expectTypeOf(task.result).toEqualTypeOf<Promise<{ rows: number }>>();
    expectTypeOf(task.progress).toEqualTypeOf<ProgressUpdate | undefined>();
    expectTypeOf(task.startedAt).toEqualTypeOf<number | undefined>();
    expectTypeOf(task.onSettled)
      .parameter(0)
      .toEqualTypeOf<(outcome: TaskOutcome<{ rows: number }>) => void>();
    expectTypeOf(task.onProgress).returns.toEqualTypeOf<() => void>();
  });
});
