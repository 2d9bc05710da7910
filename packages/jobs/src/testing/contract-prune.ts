import { describe, expect, it } from 'vitest';
import type { JobRecord, JobStatus } from '../job-record';
import type { JobStore } from '../job-store';
import type { ContractHarness } from './contract-harness';
import { pendingJob, runningJob } from './contract-harness';

async function finished(
  store: JobStore,
  status: JobStatus,
  ttlMs?: number | null,
  tool?: string,
): Promise<JobRecord> {
  const job = await store.create(runningJob('owner', tool === undefined ? {} : { tool }));
  const result = await store.transition(
    job.id,
    { from: 'running', ownerToken: 'owner' },
    { status, ttlMs },
  );
  if (!result.ok) throw new Error(`could not finish the job: ${result.reason}`);
  return result.record;
}

/** prune: statuses, olderThan, expired, scope, tools, batches; never running. */
export function describePruneContract(harness: ContractHarness): void {
  describe('prune', () => {
    it('deletes every terminal job by default and never a running or pending one', async () => {
      const store = harness.store();
      const running = await store.create(runningJob('owner'));
      const pending = await store.create(pendingJob());
      for (const status of ['completed', 'failed', 'cancelled', 'interrupted'] as const)
        await finished(store, status);
      expect(await store.prune()).toBe(4);
      const left = await store.list();
      expect(left.jobs.map((job) => job.id).sort()).toEqual([running.id, pending.id].sort());
    });

    it('honours statuses, and deletes pending jobs only when asked', async () => {
      const store = harness.store();
      const completed = await finished(store, 'completed');
      await finished(store, 'failed');
      await store.create(pendingJob());
      expect(await store.prune({ statuses: ['failed'] })).toBe(1);
      expect(await store.prune({ statuses: ['pending'] })).toBe(1);
      expect((await store.list()).jobs.map((job) => job.id)).toEqual([completed.id]);
    });

    it('refuses to prune running jobs with INVALID_ARGUMENT naming statuses', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      await expect(store.prune({ statuses: ['running'] })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('statuses') as unknown,
      });
      expect(await store.get(job.id)).toEqual(job);
    });

    it('deletes only jobs that finished before olderThan', async () => {
      const store = harness.store();
      const old = await finished(store, 'completed');
      if (harness.options.clock === 'injected') harness.clock().advance(10_000);
      else await new Promise((resolve) => setTimeout(resolve, 20));
      const recent = await finished(store, 'completed');
      expect(recent.finishedAt!).toBeGreaterThan(old.finishedAt!);
      expect(await store.prune({ olderThan: recent.finishedAt! })).toBe(1);
      expect(await store.get(old.id)).toBeUndefined();
      expect(await store.get(recent.id)).toEqual(recent);
    });

    it('with expired deletes terminal jobs whose expiresAt passed', async () => {
      const store = harness.store();
      const keep = await finished(store, 'completed', null);
      const expiring = await finished(store, 'failed', 1);
      if (harness.options.clock === 'injected') harness.clock().advance(5);
      else await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await store.prune({ expired: true })).toBe(1);
      expect(await store.get(expiring.id)).toBeUndefined();
      expect(await store.get(keep.id)).toEqual(keep);
    });

    it('only in the given scope', async () => {
      const store = harness.store();
      const alice = await store.create(pendingJob({ scope: 'alice' }));
      const bob = await store.create(pendingJob({ scope: 'bob' }));
      await store.requestCancel(alice.id);
      await store.requestCancel(bob.id);
      expect(await store.prune({ scope: 'alice' })).toBe(1);
      expect(await store.get(bob.id)).toBeDefined();
    });

    it('only jobs of the given tools, whatever their finish order', async () => {
      const store = harness.store();
      const keepOld = await finished(store, 'completed', undefined, 'keep');
      const legacy = await finished(store, 'failed', undefined, 'legacy');
      const other = await finished(store, 'cancelled', undefined, 'other,legacy');
      const pending = await store.create(pendingJob({ tool: 'legacy' }));
      const running = await store.create(runningJob('owner', { tool: 'legacy' }));
      const keepNew = await finished(store, 'completed', undefined, 'keep');
      expect(await store.prune({ tools: ['legacy', 'absent'] })).toBe(1);
      expect(await store.get(legacy.id)).toBeUndefined();
      for (const job of [keepOld, other, pending, running, keepNew])
        expect(await store.get(job.id)).toEqual(job);
      expect(await store.prune({ tools: ['other,legacy'], statuses: ['cancelled'] })).toBe(1);
      expect(await store.prune({ tools: ['legacy'], statuses: ['pending'] })).toBe(1);
      expect((await store.list()).jobs.map((job) => job.id).sort()).toEqual(
        [keepOld.id, running.id, keepNew.id].sort(),
      );
    });

    it('combines tools with olderThan, expired and batches', async () => {
      const store = harness.store();
      const old = await finished(store, 'completed', undefined, 'legacy');
      const expiring = await finished(store, 'failed', 1, 'legacy');
      const otherExpiring = await finished(store, 'failed', 1, 'other');
      if (harness.options.clock === 'injected') harness.clock().advance(10_000);
      else await new Promise((resolve) => setTimeout(resolve, 20));
      const recent = await finished(store, 'completed', undefined, 'legacy');
      expect(await store.prune({ tools: ['legacy'], expired: true })).toBe(1);
      expect(await store.get(expiring.id)).toBeUndefined();
      expect(await store.prune({ tools: ['other'], olderThan: recent.finishedAt! })).toBe(1);
      expect(await store.get(old.id)).toEqual(old);
      expect(await store.get(otherExpiring.id)).toBeUndefined();
      for (let index = 0; index < 5; index++) await finished(store, 'completed', null, 'legacy');
      expect(await store.prune({ tools: ['legacy'], batchSize: 2 })).toBe(7);
      expect((await store.list()).total).toBe(0);
    });

    it('deletes in batches and returns the total', async () => {
      const store = harness.store();
      for (let index = 0; index < 7; index++) {
        const job = await store.create(pendingJob());
        await store.requestCancel(job.id);
      }
      expect(await store.prune({ batchSize: 2 })).toBe(7);
      expect((await store.list()).total).toBe(0);
    });

    it('removes the output and cursors of pruned jobs', async () => {
      const store = harness.store();
      const job = await store.create(pendingJob());
      await store.appendOutput(job.id, 'stdout', 'hello');
      await store.setCursor(job.id, 'delivered:stdout', undefined, 5);
      await store.requestCancel(job.id);
      expect(await store.prune()).toBe(1);
      await expect(store.readOutput(job.id, 'stdout')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(store.getCursor(job.id, 'delivered:stdout')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it.each([
      ['batchSize', { batchSize: 0 }],
      ['olderThan', { olderThan: 'yesterday' }],
      ['statuses', { statuses: ['gone'] }],
      ['tools', { tools: 'contract-tool' }],
      ['tools', { tools: [] }],
      ['tools[1]', { tools: ['contract-tool', ''] }],
      ['tools[0]', { tools: [42] }],
      ['tools', { tools: Array.from({ length: 101 }, (_, index) => `tool-${index}`) }],
    ])('rejects an invalid %s', async (field, options) => {
      const store = harness.store();
      const job = await store.create(pendingJob());
      await store.requestCancel(job.id);
      await expect(store.prune(options as never)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining(field) as unknown,
      });
      expect((await store.list()).total).toBe(1);
    });
  });
}
