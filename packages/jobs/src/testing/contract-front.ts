import { isSaError } from '@sa/core';
import { describe, expect, it } from 'vitest';
import type { ContractHarness } from './contract-harness';
import { pendingJob, runningJob } from './contract-harness';

function isInvalid(field: string): (error: unknown) => boolean {
  return (error) =>
    isSaError(error, 'INVALID_ARGUMENT') &&
    (error as { data?: { field?: unknown } }).data?.field === field;
}

/**
 * The rules the store front (`createJobStore`) owns for every store: once the stores had each
 * their own copy of these, and the copies had drifted apart.
 */
export function describeFrontContract(harness: ContractHarness): void {
  describe('rules shared by every store', () => {
    it('refuses an empty cancel reason (a reason is a non-empty string or absent) and keeps the job', async () => {
      const store = harness.store();
      const pending = await store.create(pendingJob());
      const running = await store.create(runningJob('owner'));
      await expect(store.requestCancel(pending.id, '')).rejects.toSatisfy(isInvalid('reason'));
      await expect(store.requestCancel(running.id, '')).rejects.toSatisfy(isInvalid('reason'));
      await expect(store.requestCancel(pending.id, 7 as never)).rejects.toSatisfy(
        isInvalid('reason'),
      );
      expect(await store.get(pending.id)).toMatchObject({ status: 'pending', version: 1 });
      expect(await store.get(running.id)).toMatchObject({
        status: 'running',
        cancelRequestedAt: null,
      });
      expect(await store.requestCancel(running.id, 'stop')).toMatchObject({
        cancelReason: 'stop',
      });
    });

    it.each([undefined, null, 'listener', 42, {}])(
      'refuses a subscribe listener that is not a function (%j) at once',
      (listener) => {
        const store = harness.store();
        expect(() => store.subscribe(listener as never)).toThrow(
          expect.objectContaining({ code: 'INVALID_ARGUMENT', data: { field: 'listener' } }),
        );
      },
    );

    it('refuses subscribe options with a bad id', () => {
      const store = harness.store();
      expect(() => store.subscribe(() => undefined, { id: '' })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', data: { field: 'id' } }),
      );
    });

    it('hides a job from get once its expiresAt has passed (retention ttl 0), as prune would delete it', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      const kept = await store.create(runningJob('owner'));
      const finished = await store.transition(
        job.id,
        { from: 'running', ownerToken: 'owner' },
        { status: 'completed', result: 1, ttlMs: 0 },
      );
      expect(finished).toMatchObject({ ok: true, record: { status: 'completed' } });
      await store.transition(
        kept.id,
        { from: 'running', ownerToken: 'owner' },
        { status: 'completed', result: 2, ttlMs: 3_600_000 },
      );
      expect(await store.get(job.id)).toBeUndefined();
      expect(await store.get(job.id, { scope: null })).toBeUndefined();
      expect(await store.get(kept.id)).toMatchObject({ status: 'completed', result: 2 });
    });

    it('shows a job until the store clock reaches its expiresAt, then hides it', async (context) => {
      if (harness.options.clock !== 'injected') context.skip();
      const store = harness.store();
      const clock = harness.clock();
      const job = await store.create(runningJob('owner'));
      await store.transition(
        job.id,
        { from: 'running', ownerToken: 'owner' },
        { status: 'failed', error: { code: 'X', message: 'x' }, ttlMs: 1000 },
      );
      clock.advance(999);
      expect(await store.get(job.id)).toMatchObject({ status: 'failed' });
      clock.advance(1);
      expect(await store.get(job.id)).toBeUndefined();
    });

    it('refuses every call once closed, with CLOSED', async () => {
      const store = harness.store();
      const job = await store.create(pendingJob());
      await store.close();
      await expect(store.get(job.id)).rejects.toSatisfy((error) => isSaError(error, 'CLOSED'));
      await expect(store.list()).rejects.toSatisfy((error) => isSaError(error, 'CLOSED'));
      await expect(store.create(pendingJob())).rejects.toSatisfy((error) =>
        isSaError(error, 'CLOSED'),
      );
      expect(() => store.subscribe(() => undefined)).toThrow(
        expect.objectContaining({ code: 'CLOSED' }),
      );
      await store.close();
    });
  });
}
