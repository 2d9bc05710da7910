import { isSaError } from '@sa/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createJobManager } from './job-manager';
import type { JobManager } from './job-manager-types';
import { createMemoryJobStore } from './memory-store';

// The operations that let adapters (such as @sa/mcp) use the manager as their one door,
// never its store or runner.

const managers: JobManager[] = [];

function manager(): JobManager {
  const created = createJobManager({
    store: createMemoryJobStore(),
    retention: { completed: 60_000, failed: 120_000 },
  });
  managers.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(managers.splice(0).map((each) => each.close()));
});

describe('JobManager external jobs', () => {
  it('creates an owner-less running job and settles it once, with the retention of its status', async () => {
    const jobs = manager();
    const created = await jobs.createExternal({ tool: 'sdk-task', input: { n: 1 }, scope: 's1' });
    expect(created).toMatchObject({
      status: 'running',
      owner: null,
      tool: 'sdk-task',
      scope: 's1',
    });
    const settled = await jobs.settleExternal(created.id, {
      status: 'completed',
      result: { ok: true },
    });
    expect(settled).toMatchObject({ status: 'completed', result: { ok: true } });
    expect(settled.expiresAt! - settled.finishedAt!).toBe(60_000);
    const again = jobs.settleExternal(created.id, {
      status: 'failed',
      error: { code: 'X', message: 'late' },
    });
    await expect(again).rejects.toSatisfy((error) => isSaError(error, 'CONFLICT'));
    expect((await jobs.get(created.id))?.status).toBe('completed');
  });

  it('stores a failure with its error and keeps it for the failed retention', async () => {
    const jobs = manager();
    const { id } = await jobs.createExternal({ tool: 'sdk-task' });
    const failed = await jobs.settleExternal(id, {
      status: 'failed',
      error: { code: 'HANDLER_ERROR', message: 'boom' },
    });
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'HANDLER_ERROR', message: 'boom' },
    });
    expect(failed.expiresAt! - failed.finishedAt!).toBe(120_000);
  });

  it.each([
    ['an unknown status', { status: 'done', result: 1 }, 'outcome.status'],
    ['a result that is not JSON', { status: 'completed', result: () => 1 }, 'outcome.result'],
    ['a failure without an error', { status: 'failed' }, 'outcome.error'],
    ['no outcome', null, 'outcome'],
  ])('refuses %s, naming the field, and leaves the job running', async (_name, outcome, field) => {
    const jobs = manager();
    const { id } = await jobs.createExternal({ tool: 'sdk-task' });
    const attempt = jobs.settleExternal(id, outcome as never);
    await expect(attempt).rejects.toSatisfy(
      (error) =>
        isSaError(error, 'INVALID_ARGUMENT') && (error.data as { field: string }).field === field,
    );
    expect((await jobs.get(id))?.status).toBe('running');
  });

  it('answers NOT_FOUND for an unknown job', async () => {
    const jobs = manager();
    const attempt = jobs.settleExternal('no-such-job', { status: 'completed', result: null });
    await expect(attempt).rejects.toSatisfy((error) => isSaError(error, 'NOT_FOUND'));
  });
});

describe('JobManager output cursors and clock', () => {
  it('reads each byte once per named reader and reports where the reader stands', async () => {
    const jobs = manager();
    const { id } = await jobs.createExternal({ tool: 'out' });
    jobs.appendOutput(id, 'stdout', 'one\n');
    await jobs.flushOutput(id);
    expect(await jobs.outputCursor(id, 'stdout')).toBe(0);
    expect((await jobs.readNewOutput(id, 'stdout')).data).toBe('one\n');
    expect(await jobs.outputCursor(id, 'stdout')).toBe(4);
    jobs.appendOutput(id, 'stdout', 'two\n');
    await jobs.flushOutput(id);
    expect((await jobs.readNewOutput(id, 'stdout')).data).toBe('two\n');
    expect((await jobs.readNewOutput(id, 'stdout', { cursorName: 'other' })).data).toBe(
      'one\ntwo\n',
    );
    expect(await jobs.outputCursor(id, 'stderr')).toBe(0);
  });

  it('tells the time by the store clock', async () => {
    const jobs = manager();
    const before = Date.now();
    const now = await jobs.now();
    expect(now).toBeGreaterThanOrEqual(before);
  });

  it('runs inline work within a budget on its own runner', async () => {
    const jobs = manager();
    const outcome = await jobs.runWithBudget(() => Promise.resolve(42), { budgetMs: 60_000 });
    expect(outcome).toEqual({ status: 'completed', value: 42 });
  });

  it('prunes only the finished jobs of the given tools, and refuses a bad tools filter', async () => {
    const jobs = manager();
    const legacy = await jobs.createExternal({ tool: 'legacy' });
    const other = await jobs.createExternal({ tool: 'other' });
    await jobs.settleExternal(other.id, { status: 'completed', result: null });
    await jobs.settleExternal(legacy.id, { status: 'completed', result: null });
    expect(await jobs.prune({ tools: ['legacy'] })).toBe(1);
    expect(await jobs.get(legacy.id)).toBeUndefined();
    expect(await jobs.get(other.id)).toMatchObject({ tool: 'other', status: 'completed' });
    await expect(jobs.prune({ tools: [] })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      data: { field: 'tools' },
    });
  });
});
