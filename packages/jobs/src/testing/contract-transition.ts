import { describe, expect, it } from 'vitest';
import { terminalJobStatuses } from '../job-record';
import type { TransitionGuard, TransitionPatch } from '../job-store';
import type { ContractHarness } from './contract-harness';
import { pendingJob, runningJob, testOwner } from './contract-harness';

/** transition: compare-and-set, races, terminal immutability, fencing, invalid arguments. */
export function describeTransitionContract(harness: ContractHarness): void {
  describe('transition', () => {
    it('moves pending to running, bumps version and updatedAt, sets startedAt and lease', async () => {
      const store = harness.store();
      const job = await store.create(pendingJob());
      const result = await store.transition(
        job.id,
        { from: 'pending', expectedVersion: 1 },
        { status: 'running', owner: testOwner, leaseToken: 'lease-1', leaseMs: 5000 },
      );
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const now = await store.now();
      expect(result.record).toMatchObject({
        status: 'running',
        version: 2,
        leaseToken: 'lease-1',
        owner: testOwner,
      });
      expect(result.record.startedAt).toBeTypeOf('number');
      expect(result.record.updatedAt).toBeGreaterThanOrEqual(job.updatedAt);
      expect(result.record.leaseExpiresAt).toBeGreaterThan(now);
      expect(await store.get(job.id)).toEqual(result.record);
    });

    it('completes with a JSON result and retention, fenced by the owner token', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner-1'));
      const done = await store.transition(
        job.id,
        { from: 'running', ownerToken: 'owner-1' },
        { status: 'completed', result: { answer: [42, 'x', null, true] }, ttlMs: 60_000 },
      );
      expect(done.ok).toBe(true);
      if (!done.ok) return;
      expect(done.record).toMatchObject({
        status: 'completed',
        result: { answer: [42, 'x', null, true] },
        leaseExpiresAt: null,
      });
      expect(done.record.finishedAt).toBeTypeOf('number');
      expect(done.record.expiresAt).toBe(done.record.finishedAt! + 60_000);
    });

    it('fails with a serialised error', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner-1'));
      const failed = await store.transition(
        job.id,
        { from: 'running', ownerToken: 'owner-1' },
        { status: 'failed', error: { code: 'HANDLER_ERROR', message: 'boom', data: { line: 3 } } },
      );
      expect(failed.ok && failed.record.error).toEqual({
        code: 'HANDLER_ERROR',
        message: 'boom',
        data: { line: 3 },
      });
    });

    it('reports not_found for an unknown id', async () => {
      expect(
        await harness
          .store()
          .transition('no-such-job-000000000000', { from: 'pending' }, { status: 'running' }),
      ).toEqual({
        ok: false,
        reason: 'not_found',
        current: undefined,
      });
    });

    it('reports status and version mismatches with the current record', async () => {
      const store = harness.store();
      const job = await store.create(pendingJob());
      const wrongStatus = await store.transition(job.id, { from: 'running' }, { status: 'failed' });
      expect(wrongStatus).toEqual({ ok: false, reason: 'status', current: job });
      const wrongVersion = await store.transition(
        job.id,
        { from: ['pending', 'running'], expectedVersion: 7 },
        { status: 'running' },
      );
      expect(wrongVersion).toEqual({ ok: false, reason: 'version', current: job });
      expect(await store.get(job.id)).toEqual(job);
    });

    it('lets exactly one of many concurrent transitions from the same version win', async () => {
      const store = harness.store();
      const job = await store.create(pendingJob());
      const size = harness.options.raceSize;
      const results = await Promise.all(
        Array.from({ length: size }, (_, index) =>
          store.transition(
            job.id,
            { from: 'pending', expectedVersion: job.version },
            { status: 'running', leaseToken: `racer-${index}`, owner: testOwner, leaseMs: 10_000 },
          ),
        ),
      );
      const winners = results.filter((result) => result.ok);
      expect(winners).toHaveLength(1);
      for (const result of results)
        if (!result.ok) expect(['version', 'status', 'owner']).toContain(result.reason);
      const stored = await store.get(job.id);
      expect(stored?.version).toBe(2);
      expect(winners[0]!.ok && winners[0]!.record.leaseToken).toBe(stored?.leaseToken);
    });

    it('lets exactly one of many concurrent terminal transitions win, whatever the version', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      const statuses = ['completed', 'failed', 'cancelled'] as const;
      const results = await Promise.all(
        Array.from({ length: harness.options.raceSize }, (_, index) =>
          store.transition(
            job.id,
            { from: 'running', ownerToken: 'owner' },
            { status: statuses[index % 3] },
          ),
        ),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect((await store.get(job.id))?.version).toBe(2);
    });

    it.each(terminalJobStatuses)('never changes a %s job again', async (status) => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      const done = await store.transition(
        job.id,
        { from: 'running', ownerToken: 'owner' },
        { status },
      );
      expect(done.ok).toBe(true);
      const stored = await store.get(job.id);
      const attempts: [TransitionGuard, TransitionPatch][] = [
        [{ from: status }, { status: 'running' }],
        [
          { from: status, ownerToken: 'owner' },
          { status: 'completed', result: 1 },
        ],
        [{ from: [status, 'running'] }, { progress: { progress: 5 } }],
        [{ from: status }, {}],
      ];
      for (const [guard, patch] of attempts) {
        const result = await store.transition(job.id, guard, patch);
        expect(result).toEqual({ ok: false, reason: 'terminal', current: stored });
      }
      expect(await store.requestCancel(job.id)).toEqual(stored);
      const beat = await store.heartbeat(job.id, 'owner', {
        leaseMs: 1000,
        progress: { progress: 1 },
      });
      expect(beat.ok).toBe(false);
      expect(await store.reapExpired({ now: Number.MAX_SAFE_INTEGER })).toEqual([]);
      expect(await store.get(job.id)).toEqual(stored);
    });

    it('fences a running job: a wrong token or no token cannot finish it', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('real-owner'));
      const wrong = await store.transition(
        job.id,
        { from: 'running', ownerToken: 'stale-owner' },
        { status: 'completed', result: 1 },
      );
      expect(wrong).toEqual({ ok: false, reason: 'owner', current: job });
      const none = await store.transition(job.id, { from: 'running' }, { status: 'failed' });
      expect(none).toEqual({ ok: false, reason: 'owner', current: job });
      const right = await store.transition(
        job.id,
        { from: 'running', ownerToken: 'real-owner' },
        { status: 'completed', result: 2 },
      );
      expect(right.ok && right.record.result).toBe(2);
    });

    it('fences out the previous owner once the lease was taken over', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('first'));
      const takeover = await store.transition(
        job.id,
        { from: 'running', ownerToken: 'first' },
        { leaseToken: 'second', leaseMs: 5000 },
      );
      expect(takeover.ok).toBe(true);
      const stale = await store.transition(
        job.id,
        { from: 'running', ownerToken: 'first' },
        { status: 'completed' },
      );
      expect(stale.ok).toBe(false);
      expect(!stale.ok && stale.reason).toBe('owner');
      expect((await store.heartbeat(job.id, 'first', { leaseMs: 1000 })).ok).toBe(false);
      expect(
        (
          await store.transition(
            job.id,
            { from: 'running', ownerToken: 'second' },
            { status: 'completed' },
          )
        ).ok,
      ).toBe(true);
    });

    it.each<[string, TransitionGuard, TransitionPatch]>([
      ['guard.from', { from: 'done' as never }, {}],
      ['guard.from', { from: [] }, {}],
      ['guard.expectedVersion', { from: 'pending', expectedVersion: 0 }, {}],
      ['patch.status', { from: 'pending' }, { status: 'finished' as never }],
      ['patch.result', { from: 'pending' }, { result: (() => 1) as never }],
      ['patch.result', { from: 'pending' }, { result: { n: Number.POSITIVE_INFINITY } }],
      ['patch.leaseMs', { from: 'pending' }, { leaseMs: 0 }],
      ['patch.ttlMs', { from: 'pending' }, { ttlMs: -5 }],
      ['patch.error', { from: 'pending' }, { error: { message: 'no code' } as never }],
      ['patch.progress', { from: 'pending' }, { progress: { total: 3 } as never }],
    ])(
      'rejects an invalid %s with INVALID_ARGUMENT and leaves the job as it was',
      async (field, guard, patch) => {
        const store = harness.store();
        const job = await store.create(pendingJob());
        await expect(store.transition(job.id, guard, patch)).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
          message: expect.stringContaining(field) as unknown,
        });
        expect(await store.get(job.id)).toEqual(job);
      },
    );

    it('rejects a cyclic result without touching the job', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expect(
        store.transition(
          job.id,
          { from: 'running', ownerToken: 'owner' },
          { status: 'completed', result: cyclic as never },
        ),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(await store.get(job.id)).toEqual(job);
    });
  });
}
