import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { isSaError } from './errors';
import { reportProgress } from './report-progress';
import { runWithBudget } from './run-with-budget';
import { startInBackground } from './start-in-background';
import type { ProgressUpdate } from './types';

async function nested(depth: number, progress: number): Promise<void> {
  if (depth > 0) {
    await Promise.resolve();
    await nested(depth - 1, progress);
    return;
  }
  reportProgress({ progress });
}

function collect(updates: ProgressUpdate[]): (update: ProgressUpdate) => void {
  return (update) => {
    updates.push(update);
  };
}

describe('reportProgress', () => {
  it('is a no-op outside any work', () => {
    expect(() => reportProgress({ progress: 1 })).not.toThrow();
    expect(() => reportProgress({ progress: Number.NaN })).not.toThrow();
  });

  it('reaches the work across await, setTimeout, queueMicrotask, setImmediate and promise chains', async () => {
    const updates: ProgressUpdate[] = [];
    const task = startInBackground(async () => {
      await sleep(1);
      await nested(3, 1);
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          reportProgress({ progress: 2 });
          resolve();
        }, 1),
      );
      await new Promise<void>((resolve) => {
        queueMicrotask(() => {
          reportProgress({ progress: 3 });
          resolve();
        });
      });
      await new Promise<void>((resolve) => {
        setImmediate(() => {
          reportProgress({ progress: 4 });
          resolve();
        });
      });
      await Promise.resolve()
        .then(() => sleep(1))
        .then(() => reportProgress({ progress: 5, total: 5, message: 'done' }));
      return 'ok';
    });
    task.onProgress(collect(updates));
    await expect(task.result).resolves.toBe('ok');
    expect(updates).toEqual([
      { progress: 1 },
      { progress: 2 },
      { progress: 3 },
      { progress: 4 },
      { progress: 5, total: 5, message: 'done' },
    ]);
  });

  it('keeps two works running at once apart', async () => {
    const run = (name: string, step: number) =>
      startInBackground(async () => {
        for (let index = 1; index <= 5; index++) {
          await sleep(step);
          reportProgress({ progress: index, message: name });
          await Promise.resolve().then(() => reportProgress({ progress: index, message: name }));
        }
        return name;
      });
    const first = run('first', 1);
    const second = run('second', 2);
    const firstUpdates: ProgressUpdate[] = [];
    const secondUpdates: ProgressUpdate[] = [];
    first.onProgress(collect(firstUpdates));
    second.onProgress(collect(secondUpdates));
    await Promise.all([first.result, second.result]);
    expect(firstUpdates).toHaveLength(10);
    expect(secondUpdates).toHaveLength(10);
    expect(firstUpdates.every((update) => update.message === 'first')).toBe(true);
    expect(secondUpdates.every((update) => update.message === 'second')).toBe(true);
  });

  it('goes to the innermost work when works nest', async () => {
    const outerUpdates: ProgressUpdate[] = [];
    const innerUpdates: ProgressUpdate[] = [];
    await runWithBudget(
      async () => {
        reportProgress({ progress: 1, message: 'outer' });
        await runWithBudget(
          async () => {
            await sleep(1);
            reportProgress({ progress: 1, message: 'inner' });
          },
          { budgetMs: 1000, onProgress: collect(innerUpdates) },
        );
        reportProgress({ progress: 2, message: 'outer' });
      },
      { budgetMs: 1000, onProgress: collect(outerUpdates) },
    );
    expect(outerUpdates.map((update) => update.message)).toEqual(['outer', 'outer']);
    expect(innerUpdates.map((update) => update.message)).toEqual(['inner']);
  });

  it('reaches the same task through the context reporter, even destructured', async () => {
    const updates: ProgressUpdate[] = [];
    const task = startInBackground(async ({ reportProgress: report }) => {
      await sleep(1);
      report({ progress: 7 });
    });
    task.onProgress(collect(updates));
    await task.result;
    expect(updates).toEqual([{ progress: 7 }]);
    expect(task.progress).toEqual({ progress: 7 });
  });

  it('copies the update, so later changes to the caller object do not leak', async () => {
    const task = startInBackground(async () => {
      await sleep(1);
      const update = { progress: 1, extra: 'dropped' };
      reportProgress(update);
      update.progress = 99;
    });
    await task.result;
    expect(task.progress).toEqual({ progress: 1 });
  });

  it.each([
    [{ progress: Number.NaN }, 'progress'],
    [{ progress: '1' }, 'progress'],
    [{ progress: 1, total: Infinity }, 'total'],
    [{ progress: 1, message: 3 }, 'message'],
    [null, 'progress update'],
  ])('rejects a bad update %j inside a work with an error naming %s', async (update, name) => {
    const task = startInBackground(async () => {
      await Promise.resolve();
      reportProgress(update as ProgressUpdate);
    });
    const error = await task.result.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(isSaError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain(name);
    expect(task.status).toBe('failed');
  });
});
