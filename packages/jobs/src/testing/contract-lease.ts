import { describe, expect, it } from 'vitest';
import type { ContractHarness } from './contract-harness';
import { pendingJob, runningJob } from './contract-harness';

/** heartbeat, requestCancel and reapExpired. */
export function describeLeaseContract(harness: ContractHarness): void {
  describe('heartbeat', () => {
    it('renews the lease from the store clock without bumping the version', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner', { leaseMs: 1000 }));
      const before = await store.now();
      const beat = await store.heartbeat(job.id, 'owner', { leaseMs: 60_000 });
      expect(beat.ok).toBe(true);
      expect(beat.cancelRequested).toBe(false);
      expect(beat.record?.leaseExpiresAt).toBeGreaterThanOrEqual(before + 60_000);
      expect(beat.record?.version).toBe(job.version);
      expect((await store.get(job.id))?.leaseExpiresAt).toBe(beat.record?.leaseExpiresAt);
    });

    it.skipIf(harness.options.clock !== 'injected')(
      'renews the lease relative to the injected clock',
      async () => {
        const store = harness.store();
        const job = await store.create(runningJob('owner', { leaseMs: 1000 }));
        harness.clock().advance(900);
        const beat = await store.heartbeat(job.id, 'owner', { leaseMs: 1000 });
        expect(beat.record?.leaseExpiresAt).toBe(harness.clock().now() + 1000);
        harness.clock().advance(950);
        expect(await store.reapExpired()).toEqual([]);
        harness.clock().advance(100);
        expect((await store.reapExpired()).map((record) => record.id)).toEqual([job.id]);
      },
    );

    it('stores the latest progress and bumps the version only when it changed', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      const first = await store.heartbeat(job.id, 'owner', {
        leaseMs: 5000,
        progress: { progress: 3, total: 10, message: 'three' },
      });
      expect(first.record).toMatchObject({
        progress: { progress: 3, total: 10, message: 'three' },
        version: 2,
      });
      const same = await store.heartbeat(job.id, 'owner', {
        leaseMs: 5000,
        progress: { progress: 3, total: 10, message: 'three' },
      });
      expect(same.record?.version).toBe(2);
      const next = await store.heartbeat(job.id, 'owner', {
        leaseMs: 5000,
        progress: { progress: 4, total: 10 },
      });
      expect(next.record).toMatchObject({ progress: { progress: 4, total: 10 }, version: 3 });
      expect((await store.get(job.id))?.progress).toEqual({ progress: 4, total: 10 });
    });

    it('reports a cancel request to the owner', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      await store.requestCancel(job.id, 'user asked');
      const beat = await store.heartbeat(job.id, 'owner', { leaseMs: 5000 });
      expect(beat).toMatchObject({ ok: true, cancelRequested: true });
    });

    it('fails for a fenced-out owner and an unknown job, changing nothing', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      const stale = await store.heartbeat(job.id, 'intruder', {
        leaseMs: 5000,
        progress: { progress: 9 },
      });
      expect(stale).toEqual({ ok: false, cancelRequested: false, record: job });
      expect(await store.get(job.id)).toEqual(job);
      expect(await store.heartbeat('no-such-job-000000000000', 'owner', { leaseMs: 5000 })).toEqual(
        {
          ok: false,
          cancelRequested: false,
          record: undefined,
        },
      );
    });

    it('rejects invalid heartbeat arguments with INVALID_ARGUMENT naming them', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      await expect(store.heartbeat(job.id, 'owner', { leaseMs: 0 })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('leaseMs') as unknown,
      });
      await expect(store.heartbeat(job.id, '', { leaseMs: 10 })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('ownerToken') as unknown,
      });
      await expect(
        store.heartbeat(job.id, 'owner', { leaseMs: 10, progress: { progress: 'x' } as never }),
      ).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('progress') as unknown,
      });
      expect(await store.get(job.id)).toEqual(job);
    });
  });

  describe('requestCancel', () => {
    it('cancels a pending job at once', async () => {
      const store = harness.store();
      const job = await store.create(pendingJob());
      const cancelled = await store.requestCancel(job.id, 'not needed');
      expect(cancelled).toMatchObject({
        status: 'cancelled',
        cancelReason: 'not needed',
        version: 2,
      });
      expect(cancelled?.error?.code).toBe('CANCELLED');
      expect(cancelled?.finishedAt).toBeTypeOf('number');
      expect(cancelled?.cancelRequestedAt).toBeTypeOf('number');
      expect(await store.get(job.id)).toEqual(cancelled);
    });

    it('flags a running job once and leaves it running for its owner to stop', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      const flagged = await store.requestCancel(job.id, 'stop');
      expect(flagged).toMatchObject({ status: 'running', cancelReason: 'stop', version: 2 });
      expect(flagged?.cancelRequestedAt).toBeTypeOf('number');
      const again = await store.requestCancel(job.id, 'stop again');
      expect(again).toEqual(flagged);
      const done = await store.transition(
        job.id,
        { from: 'running', ownerToken: 'owner' },
        { status: 'cancelled' },
      );
      expect(done.ok && done.record).toMatchObject({ status: 'cancelled', cancelReason: 'stop' });
    });

    it('returns a finished job unchanged and undefined for an unknown id', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      const done = await store.transition(
        job.id,
        { from: 'running', ownerToken: 'owner' },
        { status: 'completed', result: 1 },
      );
      expect(await store.requestCancel(job.id)).toEqual(done.ok && done.record);
      expect(await store.requestCancel('no-such-job-000000000000')).toBeUndefined();
    });
  });

  describe('reapExpired', () => {
    it('interrupts running and pending jobs whose lease expired, with code INTERRUPTED', async () => {
      const store = harness.store();
      const running = await store.create(runningJob('a', { leaseMs: 1000 }));
      const ownedPending = await store.create(pendingJob({ leaseToken: 'b', leaseMs: 1000 }));
      const fresh = await store.create(runningJob('c', { leaseMs: 1_000_000 }));
      const unleased = await store.create(pendingJob());
      const later = Math.max(running.leaseExpiresAt!, ownedPending.leaseExpiresAt!) + 1;
      const reaped = await store.reapExpired({ now: later });
      expect(reaped.map((record) => record.id).sort()).toEqual(
        [running.id, ownedPending.id].sort(),
      );
      for (const record of reaped) {
        expect(record).toMatchObject({ status: 'interrupted', leaseExpiresAt: null });
        expect(record.error?.code).toBe('INTERRUPTED');
        expect(record.finishedAt).toBeTypeOf('number');
        expect(await store.get(record.id)).toEqual(record);
      }
      expect((await store.get(fresh.id))?.status).toBe('running');
      expect((await store.get(unleased.id))?.status).toBe('pending');
      expect(await store.reapExpired({ now: later })).toEqual([]);
    });

    it('leaves a job whose lease has not expired at the given time', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('a', { leaseMs: 5000 }));
      expect(await store.reapExpired({ now: job.leaseExpiresAt! - 1 })).toEqual([]);
      expect(await store.reapExpired()).toEqual([]);
      expect((await store.get(job.id))?.status).toBe('running');
    });

    it('fences the dead owner out after reaping', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('dead', { leaseMs: 1000 }));
      await store.reapExpired({ now: job.leaseExpiresAt! + 1 });
      const late = await store.transition(
        job.id,
        { from: 'running', ownerToken: 'dead' },
        { status: 'completed', result: 1 },
      );
      expect(!late.ok && late.reason).toBe('terminal');
      expect((await store.get(job.id))?.status).toBe('interrupted');
    });

    it('rejects a non-numeric now', async () => {
      await expect(harness.store().reapExpired({ now: Number.NaN })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('now') as unknown,
      });
    });
  });
}
