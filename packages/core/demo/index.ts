// A terminal demo of @sa/core: one call finishes inline, one is promoted to the background
// with a live progress bar, one is cancelled. About 6 seconds; works without a TTY too.
import { setTimeout as sleep } from 'node:timers/promises';
import cliProgress from 'cli-progress';
import { isSaError, reportProgress, runWithBudget } from '../src/index';
import type { BackgroundTask, WorkContext } from '../src/index';

const budgetMs = 1000;
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line: string) => console.log(`[${elapsed()}] ${line}`);

/** A pretend long job: `steps` steps of `stepMs`, reporting progress, honouring its signal. */
function crunch(steps: number, stepMs: number) {
  return async ({ signal }: WorkContext): Promise<string> => {
    for (let step = 1; step <= steps; step++) {
      await sleep(stepMs, undefined, { signal });
      reportProgress({ progress: step, total: steps, message: `step ${step} of ${steps}` });
    }
    return `crunched ${steps} steps`;
  };
}

/** Shows a task's progress as a bar until it settles. */
async function followWithBar(task: BackgroundTask<string>, cancelAfterMs?: number): Promise<void> {
  const bar = new cliProgress.SingleBar(
    {
      format: '  {bar} {percentage}% | {message}',
      stream: process.stdout,
      noTTYOutput: true,
      notTTYSchedule: 500,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const latest = task.progress;
  bar.start(latest?.total ?? 1, latest?.progress ?? 0, { message: latest?.message ?? 'starting' });
  const unsubscribe = task.onProgress(
    (update) => {
      if (update.total !== undefined) bar.setTotal(update.total);
      bar.update(update.progress, { message: update.message ?? '' });
    },
    { intervalMs: 50 },
  );
  const stopper =
    cancelAfterMs === undefined
      ? undefined
      : setTimeout(() => task.cancel('the user pressed stop'), cancelAfterMs);
  await task.result.then(
    () => undefined,
    () => undefined,
  );
  clearTimeout(stopper);
  unsubscribe();
  bar.stop();
}

console.log(`@sa/core demo: every call gets a ${budgetMs} ms budget.\n`);

// 1. Finishes within the budget: the caller gets the value inline.
say('Call 1: a quick lookup (300 ms of work)');
const quick = await runWithBudget(crunch(3, 100), { budgetMs });
if (quick.status === 'completed') say(`  completed inline: ${quick.value}`);

// 2. Outlives the budget: promoted to the background, keeps running, progress goes on.
say('Call 2: a long crunch (3 s of work)');
const long = await runWithBudget(crunch(30, 100), {
  budgetMs,
  onProgress: (update) => {
    if (update.progress % 5 === 0)
      say(`  inline progress ${update.progress}/${update.total ?? '?'}`);
  },
});
if (long.status === 'promoted') {
  say(`  budget spent: promoted to the background as ${long.task.id}; the call returned`);
  await followWithBar(long.task);
  say(`  ${long.task.id} ${long.task.status}: ${await long.task.result}`);
}

// 3. Promoted, then cancelled: the work's signal aborts with a CANCELLED error.
say('Call 3: a runaway job, cancelled 1 s after it was promoted');
const runaway = await runWithBudget(crunch(100, 100), { budgetMs });
if (runaway.status === 'promoted') {
  say(`  promoted as ${runaway.task.id}`);
  await followWithBar(runaway.task, 1000);
  const error: unknown = await runaway.task.result.catch((reason: unknown) => reason);
  const code = isSaError(error) ? error.code : 'unexpected';
  say(`  ${runaway.task.id} ${runaway.task.status} (${code}): ${(error as Error).message}`);
}

say('Done.');
