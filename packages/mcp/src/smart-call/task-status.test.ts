import { createJobManager, createMemoryJobStore, type JobRecord } from '@sa/jobs';
import { describe, expect, it } from 'vitest';
import { taskFieldsOf, taskStatusMessage } from './task-status';

async function pendingRecord(): Promise<JobRecord> {
  const jobs = createJobManager({ store: createMemoryJobStore() });
  try {
    // `start` stores the job as pending and starts it at once when a slot is free: pending
    // does not mean queued.
    return await jobs.start(() => Promise.resolve(null), { tool: 't' });
  } finally {
    await jobs.close({ graceMs: 0 });
    await jobs.store.close();
  }
}

describe('taskStatusMessage', () => {
  it('never tells a pending job it is queued for a free slot', async () => {
    const record = await pendingRecord();
    expect(record.status).toBe('pending');
    expect(taskStatusMessage(record)).toBe('Waiting to start');
  });

  it.each([
    [{ progress: 3, total: 10, message: 'crunching' }, '3/10 crunching'],
    [{ progress: 3, total: 10 }, '3/10'],
    [{ progress: 7, message: 'reading' }, '7 reading'],
  ])('shows progress %j as %s', async (progress, message) => {
    const record: JobRecord = { ...(await pendingRecord()), status: 'running', progress };
    expect(taskStatusMessage(record)).toBe(message);
  });

  it('shows the error of a failed job and "Cancelling" while a cancel is pending', async () => {
    const base = await pendingRecord();
    expect(
      taskStatusMessage({
        ...base,
        status: 'failed',
        error: { code: 'HANDLER_ERROR', message: 'boom' },
      }),
    ).toBe('boom');
    expect(
      taskStatusMessage({ ...base, status: 'running', cancelRequestedAt: base.createdAt }),
    ).toBe('Cancelling');
  });
});

describe('taskFieldsOf', () => {
  it('maps statuses and times, with the retention as ttlMs once known', async () => {
    const base = await pendingRecord();
    const fields = taskFieldsOf(
      { ...base, status: 'interrupted', expiresAt: base.createdAt + 60_000 },
      { pollIntervalMs: 500 },
    );
    expect(fields).toMatchObject({
      taskId: base.id,
      status: 'failed',
      ttlMs: 60_000,
      pollIntervalMs: 500,
      createdAt: new Date(base.createdAt).toISOString(),
    });
    expect(taskFieldsOf(base).ttlMs).toBeNull();
  });
});
