import { describe, expect, it } from 'vitest';
import { jobRecordSchema } from '../job-record';
import type { ContractHarness } from './contract-harness';
import { pendingJob, runningJob, testOwner } from './contract-harness';

/** create, idempotency, get with scope, and invalid input of create/get. */
export function describeCreateContract(harness: ContractHarness): void {
  describe('create and get', () => {
    it('creates a pending job with a fresh URL-safe 128-bit id, version 1 and null fields', async () => {
      const store = harness.store();
      const before = await store.now();
      const job = await store.create(pendingJob({ input: { n: 1, list: ['a'] } }));
      expect(jobRecordSchema.parse(job)).toEqual(job);
      expect(job.id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      expect(job).toMatchObject({
        status: 'pending',
        version: 1,
        progress: null,
        error: null,
        startedAt: null,
        finishedAt: null,
        expiresAt: null,
        cancelRequestedAt: null,
        leaseExpiresAt: null,
        input: { n: 1, list: ['a'] },
      });
      expect(job.createdAt).toBeGreaterThanOrEqual(before);
      expect(await store.get(job.id)).toEqual(job);
    });

    it('gives every job a different id', async () => {
      const store = harness.store();
      const jobs = await Promise.all(Array.from({ length: 20 }, () => store.create(pendingJob())));
      expect(new Set(jobs.map((job) => job.id)).size).toBe(20);
    });

    it('keeps the true start time of promoted running work and sets the lease on the store clock', async () => {
      const store = harness.store();
      const now = await store.now();
      const job = await store.create(
        runningJob('token-a', { createdAt: now - 5000, leaseMs: 2000 }),
      );
      expect(job.status).toBe('running');
      expect(job.createdAt).toBe(now - 5000);
      expect(job.startedAt).toBe(now - 5000);
      expect(job.owner).toEqual(testOwner);
      expect(job.leaseToken).toBe('token-a');
      expect(job.leaseExpiresAt).toBeGreaterThanOrEqual(now + 2000);
      expect(job.updatedAt).toBeGreaterThanOrEqual(now);
    });

    it.skipIf(harness.options.clock !== 'injected')(
      'takes times from the injected clock',
      async () => {
        const store = harness.store();
        harness.clock().advance(1234);
        const now = harness.clock().now();
        const job = await store.create(runningJob('t', { leaseMs: 500 }));
        expect(job).toMatchObject({
          createdAt: now,
          startedAt: now,
          updatedAt: now,
          leaseExpiresAt: now + 500,
        });
        expect(await store.now()).toBe(now);
      },
    );

    it('accepts a caller-chosen id and refuses a duplicate with CONFLICT', async () => {
      const store = harness.store();
      const id = 'caller-chosen-id-0123456789';
      const job = await store.create(pendingJob({ id }));
      expect(job.id).toBe(id);
      await expect(store.create(pendingJob({ id }))).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.get(id)).toEqual(job);
    });

    it('returns the existing job for a repeated idempotency key, also under concurrency', async () => {
      const store = harness.store();
      const first = await store.create(pendingJob({ label: 'one' }), { idempotencyKey: 'key-1' });
      const again = await store.create(pendingJob({ label: 'two' }), { idempotencyKey: 'key-1' });
      expect(again).toEqual(first);
      expect(first.idempotencyKey).toBe('key-1');
      const racing = await Promise.all(
        Array.from({ length: harness.options.raceSize }, () =>
          store.create(pendingJob(), { idempotencyKey: 'key-2' }),
        ),
      );
      expect(new Set(racing.map((job) => job.id)).size).toBe(1);
      expect((await store.list()).total).toBe(2);
    });

    it('refuses an idempotency key of another scope with CONFLICT', async () => {
      const store = harness.store();
      await store.create(pendingJob({ scope: 'alice' }), { idempotencyKey: 'shared-key' });
      await expect(
        store.create(pendingJob({ scope: 'bob' }), { idempotencyKey: 'shared-key' }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('get honours scope: a job of another scope is invisible; undefined scope sees all', async () => {
      const store = harness.store();
      const alice = await store.create(pendingJob({ scope: 'alice' }));
      const shared = await store.create(pendingJob({ scope: null }));
      expect(await store.get(alice.id, { scope: 'alice' })).toEqual(alice);
      expect(await store.get(alice.id, { scope: 'bob' })).toBeUndefined();
      expect(await store.get(alice.id, { scope: null })).toBeUndefined();
      expect(await store.get(alice.id)).toEqual(alice);
      expect(await store.get(shared.id, { scope: null })).toEqual(shared);
      expect(await store.get(shared.id, { scope: 'alice' })).toBeUndefined();
    });

    it('returns undefined for an unknown id', async () => {
      expect(await harness.store().get('no-such-job-000000000000')).toBeUndefined();
    });

    it('returns copies: mutating a returned record changes nothing stored', async () => {
      const store = harness.store();
      const job = await store.create(
        pendingJob({ input: { nested: { value: 1 } }, progress: { progress: 1 } }),
      );
      // A store may return frozen nested values instead of copies: a refused write is fine too.
      const attempt = (mutate: () => void): void => {
        try {
          mutate();
        } catch (error) {
          if (!(error instanceof TypeError)) throw error;
        }
      };
      attempt(() => (job.label = 'mutated'));
      attempt(() => ((job.input as { nested: { value: number } }).nested.value = 2));
      attempt(() => (job.progress!.progress = 99));
      attempt(() => (job.owner = null));
      const again = await store.get(job.id);
      expect(again?.label).toBe('contract');
      expect(again?.input).toEqual({ nested: { value: 1 } });
      expect(again?.progress).toEqual({ progress: 1 });
      const listed = (await store.list()).jobs[0]!;
      attempt(() => (listed.progress!.progress = 42));
      expect((await store.get(job.id))?.progress).toEqual({ progress: 1 });
    });

    it.each([
      ['tool', { tool: '' }],
      ['label', { label: 42 }],
      ['status', { status: 'completed' }],
      ['scope', { scope: 7 }],
      ['input', { input: { big: 10n } }],
      ['input', { input: { when: new Date(0) } }],
      ['leaseMs', { leaseMs: -1 }],
      ['createdAt', { createdAt: Number.NaN }],
      ['owner', { owner: { pid: 'x' } }],
      ['id', { id: 'short' }],
      ['id', { id: 'has spaces and slashes/////' }],
      ['progress', { progress: { progress: 'half' } }],
    ])('rejects an invalid %s with INVALID_ARGUMENT naming it', async (field, overrides) => {
      const store = harness.store();
      await expect(
        store.create(pendingJob(overrides as Record<string, unknown>)),
      ).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining(field) as unknown,
      });
      expect((await store.list()).total).toBe(0);
    });

    it('rejects an empty idempotency key and a non-string id in get', async () => {
      const store = harness.store();
      await expect(store.create(pendingJob(), { idempotencyKey: '' })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('idempotencyKey') as unknown,
      });
      await expect(store.get('')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(store.get(42 as unknown as string)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    });
  });
}
