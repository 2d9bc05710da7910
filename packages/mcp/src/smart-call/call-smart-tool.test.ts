import type { ProgressUpdate } from '@sa/core';
import { createJobManager, createMemoryJobStore, type JobManager } from '@sa/jobs';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callSmartTool, type SmartCall, type SmartCallOutcome } from './call-smart-tool';
import { defineSmartTool } from './smart-tool-definition';
import type { SmartToolContext } from './smart-tool-types';
import { createManualTimers, type ManualTimers } from './test-support/manual-timers';

// The SDK-free core on its own: what every adapter relies on.
let jobs: JobManager;
let timers: ManualTimers;
const budgetMs = 1000;

afterEach(async () => {
  await jobs.close({ graceMs: 0 });
  await jobs.store.close();
});

function setup() {
  timers = createManualTimers();
  // The budget runs on the manager's timers and clock: the test fires the budget timer by
  // hand, and a clock that stands still makes its delay exactly the budget.
  const now = Date.now();
  jobs = createJobManager({ store: createMemoryJobStore(), timers, clock: { now: () => now } });
}

/** This test's timers (a wait left over from a failed test must not fire the next test's). */
function currentTimers(): ManualTimers {
  return timers;
}

function call(overrides: Partial<SmartCall> = {}): SmartCall {
  return { arguments: {}, caller: {}, signal: new AbortController().signal, ...overrides };
}

function define(handler: (args: { n: number }, context: SmartToolContext) => unknown) {
  return defineSmartTool(
    'square',
    { inputSchema: { n: z.number() } },
    handler,
    { jobs, budgetMs, progressIntervalMs: 0 },
    { statusToolName: () => 'py_job_status' },
  );
}

async function fireBudget(): Promise<void> {
  const timers = currentTimers();
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise((resolve) => setImmediate(resolve));
  };
  await until(() => timers.pending.some((timer) => timer.ms === budgetMs));
  timers.pending.find((timer) => timer.ms === budgetMs)!.fire();
}

function jobOf(outcome: SmartCallOutcome) {
  if (outcome.kind !== 'job') throw new Error(`expected a job, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('callSmartTool', () => {
  it('answers within the budget with the result, writing nothing to the store', async () => {
    setup();
    const outcome = await callSmartTool(
      define(({ n }) => n * n),
      call({ arguments: { n: 7 } }),
    );
    expect(outcome).toEqual({
      kind: 'result',
      result: { content: [{ type: 'text', text: '49' }], structuredContent: { result: 49 } },
    });
    expect((await jobs.list()).total).toBe(0);
  });

  it('past the budget (on the manager timers) adopts the work as a durable job, scoped to the caller', async () => {
    setup();
    let finish!: (value: number) => void;
    const definition = define(() => new Promise<number>((resolve) => (finish = resolve)));
    const answer = callSmartTool(
      definition,
      call({ arguments: { n: 2 }, caller: { sessionId: 's1' } }),
    );
    await fireBudget();
    const { job, reason } = jobOf(await answer);
    expect(reason).toBe('budget');
    expect(await jobs.get(job.id, { scope: 'session:s1' })).toMatchObject({
      status: 'running',
      tool: 'square',
      input: { n: 2 },
    });
    finish(4);
    expect(await jobs.wait(job.id, { timeoutMs: 60_000 })).toMatchObject({
      status: 'completed',
      result: 4,
    });
  });

  it.each([
    ['async_mode', { arguments: { n: 1, async_mode: true } }],
    ['start: background', { arguments: { n: 1 }, start: 'background' as const }],
  ])('%s starts a job at once', async (_name, overrides) => {
    setup();
    const definition = define(() => new Promise<number>(() => {}));
    const { job, reason } = jobOf(await callSmartTool(definition, call(overrides)));
    expect(reason).toBe('async');
    expect(await jobs.get(job.id)).toBeDefined();
  });

  it("a client's cancel before promotion cancels the work and leaves no job", async () => {
    setup();
    const request = new AbortController();
    let signal: AbortSignal | undefined;
    const definition = define((_args, context) => {
      signal = context.signal;
      return new Promise<number>(() => {});
    });
    const answer = callSmartTool(
      definition,
      call({ arguments: { n: 1 }, signal: request.signal, abortKind: () => 'cancelled' }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    request.abort();
    const outcome = await answer;
    expect(outcome).toMatchObject({ kind: 'result', result: { isError: true } });
    expect(signal?.aborted).toBe(true);
    expect((await jobs.list()).total).toBe(0);
  });

  it('a closed connection before promotion keeps the work as a job', async () => {
    setup();
    const request = new AbortController();
    const definition = define(() => new Promise<number>(() => {}));
    const answer = callSmartTool(
      definition,
      call({ arguments: { n: 1 }, signal: request.signal, abortKind: () => 'closed' }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    request.abort();
    expect(jobOf(await answer).reason).toBe('disconnected');
  });

  it('answers invalid arguments as INVALID_ARGUMENT naming the field', async () => {
    setup();
    const outcome = await callSmartTool(
      define(({ n }) => n),
      call({ arguments: { n: 'x' } }),
    );
    expect(outcome).toMatchObject({
      kind: 'result',
      result: {
        isError: true,
        structuredContent: { error: { code: 'INVALID_ARGUMENT', data: { field: 'n' } } },
      },
    });
  });

  it('sends inline progress strictly increasing, and whole-life task progress until the work ends', async () => {
    setup();
    const inline: ProgressUpdate[] = [];
    const definition = define((_args, { reportProgress }) => {
      reportProgress({ progress: 1 });
      reportProgress({ progress: 1 });
      reportProgress({ progress: 2, total: 2 });
      return 0;
    });
    await callSmartTool(
      definition,
      call({ arguments: { n: 1 }, onProgress: (update) => inline.push(update) }),
    );
    expect(inline.map((update) => update.progress)).toEqual([1, 2]);

    const task: ProgressUpdate[] = [];
    let finish!: () => void;
    const slow = define(
      (_args, { reportProgress }) =>
        new Promise<number>((resolve) => {
          reportProgress({ progress: 1, message: 'started' });
          finish = () => {
            reportProgress({ progress: 2, message: 'done' });
            resolve(1);
          };
        }),
    );
    const { job } = jobOf(
      await callSmartTool(
        slow,
        call({ arguments: { n: 1 }, start: 'background', onTaskProgress: (u) => task.push(u) }),
      ),
    );
    finish();
    await jobs.wait(job.id, { timeoutMs: 60_000 });
    expect(task.map((update) => update.message)).toEqual(['started', 'done']);
  });
});
