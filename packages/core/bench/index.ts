// Benchmarks of @sa/core: overhead of runWithBudget and reportProgress, memory of promoted tasks.
import { reportProgress, runWithBudget, startInBackground } from '../src/index';
import type { BackgroundTask, ProgressUpdate, WorkContext } from '../src/index';
import { formatNs, nsPerIteration, printTable, settledHeap, type Row } from './measure';

const rows: Row[] = [];
const quickWork = (): Promise<number> => Promise.resolve(1);

// 1. runWithBudget on a work that resolves at once, against awaiting the work directly.
{
  const iterations = 100_000;
  const direct = await nsPerIteration(
    async (count) => {
      for (let index = 0; index < count; index++) await quickWork();
    },
    { iterations },
  );
  const budgeted = await nsPerIteration(
    async (count) => {
      for (let index = 0; index < count; index++) {
        await runWithBudget(quickWork, { budgetMs: 1000 });
      }
    },
    { iterations },
  );
  const request = new AbortController();
  const withSignal = await nsPerIteration(
    async (count) => {
      for (let index = 0; index < count; index++) {
        await runWithBudget(quickWork, { budgetMs: 1000, signal: request.signal });
      }
    },
    { iterations },
  );
  rows.push({
    name: 'runWithBudget, work resolves at once: added per call',
    figure: formatNs(budgeted - direct),
    target: '< 2 µs',
    baseline: `${formatNs(direct)} (await work())`,
    ratio: `${(budgeted / direct).toFixed(1)}x`,
    pass: budgeted - direct < 2000,
  });
  const directAfter = await nsPerIteration(
    async (count) => {
      for (let index = 0; index < count; index++) await quickWork();
    },
    { iterations },
  );
  rows.push({
    name: '  await work() once AsyncLocalStorage is in use',
    figure: formatNs(directAfter),
    target: '-',
    baseline: `${formatNs(direct)} (await work())`,
    ratio: `${(directAfter / direct).toFixed(1)}x`,
    pass: undefined,
  });
  rows.push({
    name: '  same, with a request signal',
    figure: formatNs(withSignal - direct),
    target: '< 2 µs',
    baseline: `${formatNs(direct)} (await work())`,
    ratio: `${(withSignal / direct).toFixed(1)}x`,
    pass: withSignal - direct < 2000,
  });
}

// 2. reportProgress per call inside a work, against an empty function call.
{
  const iterations = 1_000_000;
  let sink = 0;
  const empty = (update: ProgressUpdate): void => {
    sink += update.progress > -1 ? 0 : 1;
  };
  const emptyCall = await nsPerIteration(
    (count) => {
      for (let index = 0; index < count; index++) empty({ progress: index });
    },
    { iterations },
  );
  const inWork = (listener: boolean) =>
    nsPerIteration(
      async (count) => {
        const task = startInBackground(async () => {
          await Promise.resolve();
          for (let index = 0; index < count; index++) reportProgress({ progress: index });
        });
        if (listener) task.onProgress(empty);
        await task.result;
      },
      { iterations },
    );
  const bare = await inWork(false);
  const listened = await inWork(true);
  rows.push({
    name: 'reportProgress inside a work, no listener',
    figure: formatNs(bare),
    target: '< 200 ns',
    baseline: `${formatNs(emptyCall)} (empty function call)`,
    ratio: `${(bare / emptyCall).toFixed(1)}x`,
    pass: bare < 200,
  });
  rows.push({
    name: 'reportProgress inside a work, one listener',
    figure: formatNs(listened),
    target: '< 200 ns',
    baseline: `${formatNs(emptyCall)} (empty function call)`,
    ratio: `${(listened / emptyCall).toFixed(1)}x`,
    pass: listened < 200,
  });
  if (sink === -1) console.log(sink);
}

// 3. Memory: 10,000 promoted tasks alive at once, each with a progress listener.
{
  const count = 10_000;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const blockedWork = (): Promise<void> => gate;
  const readsSignal = ({ signal }: WorkContext): Promise<void> => (signal.aborted ? gate : gate);

  // Baseline: the same works called directly, each with a listener kept alive.
  const before = await settledHeap();
  const bare: unknown[] = [];
  for (let index = 0; index < count; index++) {
    bare.push([blockedWork(), () => {}]);
  }
  const bareHeap = (await settledHeap()) - before;

  const promote = async (work: (context: WorkContext) => Promise<void>) => {
    const start = await settledHeap();
    const outcomes = await Promise.all(
      Array.from({ length: count }, () => runWithBudget(work, { budgetMs: 0 })),
    );
    const tasks: BackgroundTask<void>[] = [];
    for (const outcome of outcomes) {
      if (outcome.status !== 'promoted') throw new Error('expected every task to be promoted');
      outcome.task.onProgress(() => {});
      tasks.push(outcome.task);
    }
    outcomes.length = 0;
    const heap = (await settledHeap()) - start;
    return { heap, tasks };
  };
  const plain = await promote(blockedWork);
  const withSignal = await promote(readsSignal);
  const perTask = plain.heap / count;
  const perTaskSignal = withSignal.heap / count;
  const perBare = bareHeap / count;
  rows.push({
    name: `${count} promoted tasks with a progress listener: heap per task`,
    figure: `${perTask.toFixed(0)} B`,
    target: '< 1 KB',
    baseline: `${perBare.toFixed(0)} B (bare work + listener)`,
    ratio: `${(perTask / perBare).toFixed(1)}x`,
    pass: perTask < 1024,
  });
  rows.push({
    name: '  same, when each work reads its signal',
    figure: `${perTaskSignal.toFixed(0)} B`,
    target: '-',
    baseline: `${perBare.toFixed(0)} B (bare work + listener)`,
    ratio: `${(perTaskSignal / perBare).toFixed(1)}x`,
    pass: undefined,
  });
  release();
  await Promise.all([...plain.tasks, ...withSignal.tasks].map((task) => task.result));
  if (bare.length !== count) throw new Error('unreachable');
}

console.log(
  `@sa/core benchmarks on Node ${process.version} (${process.platform} ${process.arch})\n`,
);
printTable(rows);
