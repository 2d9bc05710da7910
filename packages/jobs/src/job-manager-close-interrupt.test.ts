import type { WorkContext } from '@sa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJobManager } from './job-manager';
import { createMemoryJobStore } from './memory-store';

let store = createMemoryJobStore();

beforeEach(() => {
  store = createMemoryJobStore();
});

afterEach(async () => {
  await store.close().catch(() => undefined);
});

/** A work that only ends when its signal aborts. */
const untilAborted = ({ signal }: WorkContext): Promise<string> =>
  new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });

describe('JobManager.close with interruptReason', () => {
  it('records still-running jobs interrupted with the reason, not cancelled', async () => {
    const manager = createJobManager({ store, logger: { warn: () => undefined } });
    const job = await manager.start(untilAborted, { tool: 'sleep' });
    await manager.close({ interruptReason: 'The server stopped (stdin closed)' });
    const stored = await store.get(job.id);
    expect(stored?.status).toBe('interrupted');
    expect(stored?.error).toEqual({
      code: 'INTERRUPTED',
      message: 'The server stopped (stdin closed)',
    });
    expect(stored?.cancelRequestedAt).toBeNull();
  });

  it('still records cancelled without it', async () => {
    const manager = createJobManager({ store, logger: { warn: () => undefined } });
    const job = await manager.start(untilAborted, { tool: 'sleep' });
    await manager.close();
    expect((await store.get(job.id))?.status).toBe('cancelled');
  });

  it('rejects an empty reason, naming the option', async () => {
    const manager = createJobManager({ store, logger: { warn: () => undefined } });
    await expect(manager.close({ interruptReason: '' })).rejects.toThrow(/interruptReason/);
  });
});
