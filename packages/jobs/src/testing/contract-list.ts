import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../job-record';
import type { JobStore, ListJobsQuery } from '../job-store';
import type { ContractHarness } from './contract-harness';
import { pendingJob } from './contract-harness';

async function listAll(store: JobStore, query: ListJobsQuery): Promise<JobRecord[]> {
  const jobs: JobRecord[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await store.list({ ...query, cursor });
    jobs.push(...result.jobs);
    cursor = result.nextCursor;
    if (cursor === undefined) return jobs;
  }
  throw new Error('list never ended');
}

/** list: order, totals, pagination, filters, invalid queries. */
export function describeListContract(harness: ContractHarness): void {
  describe('list', () => {
    it('lists newest first with a total that counts every match, not the page', async () => {
      const store = harness.store();
      const base = await store.now();
      for (let index = 0; index < 7; index++)
        await store.create(pendingJob({ label: `job-${index}`, createdAt: base + index * 10 }));
      const page = await store.list({ limit: 3 });
      expect(page.jobs.map((job) => job.label)).toEqual(['job-6', 'job-5', 'job-4']);
      expect(page.total).toBe(7);
      expect(page.nextCursor).toBeTypeOf('string');
    });

    it('pages with nextCursor through every job exactly once, also with equal createdAt', async () => {
      const store = harness.store();
      const base = await store.now();
      const created: JobRecord[] = [];
      for (let index = 0; index < 23; index++)
        created.push(await store.create(pendingJob({ createdAt: base + (index % 3) })));
      const all = await listAll(store, { limit: 4 });
      expect(all).toHaveLength(23);
      expect(new Set(all.map((job) => job.id)).size).toBe(23);
      for (let index = 1; index < all.length; index++)
        expect(all[index - 1]!.createdAt).toBeGreaterThanOrEqual(all[index]!.createdAt);
      const lastPage = await store.list({ limit: 23 });
      expect(lastPage.nextCursor).toBeUndefined();
      expect(lastPage.jobs.map((job) => job.id)).toEqual(all.map((job) => job.id));
    });

    it('keeps a cursor stable when newer jobs arrive between pages', async () => {
      const store = harness.store();
      const base = await store.now();
      for (let index = 0; index < 6; index++)
        await store.create(pendingJob({ label: `old-${index}`, createdAt: base + index }));
      const first = await store.list({ limit: 3 });
      await store.create(pendingJob({ label: 'newer', createdAt: base + 100 }));
      const second = await store.list({ limit: 3, cursor: first.nextCursor });
      expect(second.jobs.map((job) => job.label)).toEqual(['old-2', 'old-1', 'old-0']);
      expect(second.total).toBe(7);
    });

    it('filters by status (one or several), label and scope; total follows the filter', async () => {
      const store = harness.store();
      const a = await store.create(pendingJob({ label: 'x', scope: 'alice' }));
      await store.create(pendingJob({ label: 'y', scope: 'alice' }));
      await store.create(pendingJob({ label: 'x', scope: null }));
      await store.create(
        pendingJob({ label: 'x', scope: 'bob', status: 'running', owner: null, leaseToken: null }),
      );
      await store.requestCancel(a.id);
      expect((await store.list({ status: 'pending' })).total).toBe(2);
      expect((await store.list({ status: ['pending', 'running'] })).total).toBe(3);
      expect((await store.list({ status: 'cancelled' })).jobs.map((job) => job.id)).toEqual([a.id]);
      expect((await store.list({ label: 'x' })).total).toBe(3);
      expect((await store.list({ scope: 'alice' })).total).toBe(2);
      expect((await store.list({ scope: null })).total).toBe(1);
      expect((await store.list({ scope: 'alice', label: 'x', status: 'cancelled' })).total).toBe(1);
      expect((await store.list({})).total).toBe(4);
      const empty = await store.list({ label: 'none' });
      expect(empty).toEqual({ jobs: [], total: 0, nextCursor: undefined });
    });

    it('defaults to pages of 50', async () => {
      const store = harness.store();
      await Promise.all(Array.from({ length: 55 }, () => store.create(pendingJob())));
      const page = await store.list();
      expect(page.jobs).toHaveLength(50);
      expect(page.total).toBe(55);
      expect(page.nextCursor).toBeDefined();
    });

    it.each([
      ['limit', { limit: 0 }],
      ['limit', { limit: 1001 }],
      ['limit', { limit: 2.5 }],
      ['status', { status: 'done' }],
      ['status', { status: [] }],
      ['cursor', { cursor: 'not-a-cursor' }],
      ['scope', { scope: 5 }],
    ])('rejects an invalid %s with INVALID_ARGUMENT naming it', async (field, query) => {
      await expect(harness.store().list(query as ListJobsQuery)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining(field) as unknown,
      });
    });
  });
}
