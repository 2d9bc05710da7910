import { createJobManager, createMemoryJobStore, type JobManager } from '@sa/jobs';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { maxPruneAgeHours } from './job-admin';
import { defineJobTools, type JobToolDefinition } from './job-tool-definitions';
import { resolveJobToolsOptions, type JobToolsOptions } from './job-tools-options';
import { createManualTimers, type ManualTimers } from './test-support/manual-timers';
import type { ToolResult } from './tool-result';

let jobs: JobManager;

afterEach(async () => {
  await jobs.close({ graceMs: 0 });
  await jobs.store.close();
});

function setup(options: JobToolsOptions = {}) {
  jobs = createJobManager({ store: createMemoryJobStore(), heartbeatMs: 20 });
  return defineJobTools(jobs, resolveJobToolsOptions({ prefix: 'py_', ...options }));
}

const request = () => ({ caller: {}, signal: new AbortController().signal });

function structured(result: ToolResult): Record<string, unknown> {
  return result.structuredContent as Record<string, unknown>;
}

/** Resolves when `check` holds, checking again after each turn of the event loop. */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setImmediate(resolve));
}

/** A job whose work the test ends, with its progress reporter. */
async function startControlledJob() {
  let finish!: (value: string) => void;
  let report!: (progress: number, message: string) => void;
  const record = await jobs.start(
    ({ reportProgress }) =>
      new Promise<string>((resolve) => {
        finish = resolve;
        report = (progress, message) => reportProgress({ progress, total: 10, message });
      }),
    { tool: 'steps' },
  );
  await until(async () => (await jobs.get(record.id))?.status === 'running');
  return {
    id: record.id,
    finish: (value: string) => finish(value),
    report: (p: number, m: string) => report(p, m),
  };
}

describe('job tools: bad input', () => {
  it.each([
    ['status', {}, 'job_id'],
    ['status', { job_id: 'x', wait_seconds: -1 }, 'wait_seconds'],
    ['status', { job_id: 'x', stdout_offset: 1.5 }, 'stdout_offset'],
    ['list', { limit: 0 }, 'limit'],
    ['list', { status_filter: 'sleeping' }, 'status_filter'],
    ['cancel', { job_id: '' }, 'job_id'],
    ['prune', { max_age_hours: 'soon' }, 'max_age_hours'],
  ] as const)(
    '%s with %j is an isError result "INVALID_ARGUMENT: ..." naming %s',
    async (tool, args, field) => {
      const tools = setup();
      const result = await tools[tool].call(args, request());
      expect(result.isError).toBe(true);
      const text = result.content[0]!.text;
      expect(text).toMatch(
        new RegExp(`^INVALID_ARGUMENT: Invalid arguments for tool py_\\w+: ${field}: `),
      );
      expect(structured(result)['error']).toMatchObject({
        code: 'INVALID_ARGUMENT',
        data: { field },
      });
    },
  );

  it.each([1e308, Number.MAX_VALUE, 87_601])(
    'prune refuses a max_age_hours of %d, naming max_age_hours and its limit',
    async (hours) => {
      const tools = setup();
      const result = await tools.prune.call(
        { keep_completed: false, keep_failed: false, max_age_hours: hours },
        request(),
      );
      expect(result.isError).toBe(true);
      const text = result.content[0]!.text;
      expect(text).toMatch(
        /^INVALID_ARGUMENT: Invalid arguments for tool py_prune_jobs: max_age_hours: /,
      );
      expect(text).toContain(`at most ${maxPruneAgeHours}`);
      expect(text).not.toContain('olderThan');
      expect(structured(result)['error']).toMatchObject({ data: { field: 'max_age_hours' } });
    },
  );

  it('prune accepts a max_age_hours of exactly the limit', async () => {
    const tools = setup();
    const result = await tools.prune.call({ max_age_hours: maxPruneAgeHours }, request());
    expect(result.isError).toBeFalsy();
    expect(structured(result)).toMatchObject({ removed: 0 });
  });

  it('refuses a parameter the tool does not take by name (a typo is never ignored), echoing it bounded', async () => {
    const tools = setup();
    const typo = await tools.status.call({ job_id: 'x', wait_secs: 5 }, request());
    expect(typo.isError).toBe(true);
    expect(typo.content[0]!.text).toBe(
      'INVALID_ARGUMENT: Invalid arguments for tool py_job_status: Unknown parameter "wait_secs": this tool does not take it',
    );
    expect(structured(typo)['error']).toMatchObject({ data: { field: 'wait_secs' } });
    const huge = await tools.list.call({ ['k'.repeat(100_000)]: 1 }, request());
    expect(huge.content[0]!.text.length).toBeLessThan(300);
    expect(JSON.stringify(huge).length).toBeLessThan(1000);
  });

  it('answers a job id that names no job as NOT_FOUND, in the same style', async () => {
    const tools = setup();
    const result = await tools.status.call({ job_id: 'nope' }, request());
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/^NOT_FOUND: Job "nope" was not found/);
  });
});

describe('job tools: portable input schemas', () => {
  function typeArrays(schema: unknown, path = '$'): string[] {
    if (typeof schema !== 'object' || schema === null) return [];
    const found: string[] = [];
    const record = schema as Record<string, unknown>;
    if (Array.isArray(record['type'])) found.push(`${path}.type`);
    if (record['type'] === 'null') found.push(`${path} (null type)`);
    for (const [key, value] of Object.entries(record))
      found.push(...typeArrays(value, `${path}.${key}`));
    return found;
  }

  it('advertise no type unions and no null types (some hosts reject them)', () => {
    const tools = setup();
    const all: JobToolDefinition[] = [tools.status, tools.list, tools.cancel, tools.prune];
    for (const tool of all) {
      expect(typeArrays(z.toJSONSchema(tool.inputSchema, { io: 'input' })), tool.name).toEqual([]);
    }
  });
});

describe('job_status: the settle window', () => {
  let timers: ManualTimers;
  const settleMs = 200;

  const keepAliveMs = 60_000;

  function setupWithTimers(settle = settleMs) {
    timers = createManualTimers();
    return setup({ settleMs: settle, timers, keepAliveIntervalMs: keepAliveMs });
  }

  /** A status call's request with a progress sender, so its keep-alive timer shows it waits. */
  const waitingRequest = () => ({ ...request(), onProgress: () => {} });

  /**
   * Resolves once the status call waits for a change: its keep-alive timer is set just before
   * the wait starts, and the wait reads its baseline (memory store: promise jobs only) before
   * the next turn of the event loop.
   */
  async function waitingForChange(): Promise<void> {
    await until(() => timers.pending.some((timer) => timer.ms === keepAliveMs));
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Appends output to a waiting call's job and resolves once the call opened its settle window. */
  async function wakeOnOutput(id: string, chunk: string): Promise<void> {
    await waitingForChange();
    jobs.appendOutput(id, 'stdout', chunk);
    await until(() => timers.pending.some((timer) => timer.ms === settleMs));
  }

  it('a job that prints its last line and ends answers completed, with the output and the result, in one call', async () => {
    const tools = setupWithTimers();
    const job = await startControlledJob();
    let answered = false;
    const waiting = tools.status
      .call({ job_id: job.id, wait_seconds: 20 }, waitingRequest())
      .then((result) => {
        answered = true;
        return result;
      });
    await wakeOnOutput(job.id, 'last line\n');
    expect(answered).toBe(false);
    job.finish('the result');
    const result = await waiting;
    expect(structured(result)['job']).toMatchObject({
      status: 'completed',
      result: 'the result',
      new_stdout: 'last line\n',
    });
    expect(timers.pending).toEqual([]);
  });

  it('without a settle window the same call answers running (what the window saves)', async () => {
    const tools = setupWithTimers(0);
    const job = await startControlledJob();
    const waiting = tools.status.call({ job_id: job.id, wait_seconds: 20 }, waitingRequest());
    await waitingForChange();
    jobs.appendOutput(job.id, 'stdout', 'last line\n');
    const result = await waiting;
    expect(structured(result)['job']).toMatchObject({
      status: 'running',
      new_stdout: 'last line\n',
    });
    job.finish('done');
  });

  it('progress and output arriving together wake it once: one window, one answer with both', async () => {
    const tools = setupWithTimers();
    const job = await startControlledJob();
    const waiting = tools.status.call({ job_id: job.id, wait_seconds: 20 }, waitingRequest());
    job.report(3, 'crunching');
    await wakeOnOutput(job.id, 'step 3\n');
    await until(async () => (await jobs.get(job.id))?.progress?.progress === 3);
    await jobs.flushOutput(job.id);
    expect(timers.countSet(settleMs)).toBe(1);
    timers.pending.find((timer) => timer.ms === settleMs)!.fire();
    const result = await waiting;
    expect(structured(result)['job']).toMatchObject({
      status: 'running',
      progress: { progress: 3, total: 10, message: 'crunching' },
      new_stdout: 'step 3\n',
    });
    expect(timers.countSet(settleMs)).toBe(1);
    job.finish('done');
  });
});
