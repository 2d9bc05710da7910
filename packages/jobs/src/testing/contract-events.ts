import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../job-store';
import type { ContractHarness } from './contract-harness';
import { eventually, pendingJob, runningJob } from './contract-harness';

/** subscribe hints and close. */
export function describeEventsContract(harness: ContractHarness): void {
  describe('subscribe', () => {
    it('sends changed, output and deleted hints, filtered by id when asked', async () => {
      const store = harness.store();
      const all: JobEvent[] = [];
      const unsubscribeAll = store.subscribe((event) => all.push(event));
      const job = await store.create(runningJob('owner'));
      const other = await store.create(pendingJob());
      const mine: JobEvent[] = [];
      const unsubscribeMine = store.subscribe((event) => mine.push(event), { id: job.id });
      await store.heartbeat(job.id, 'owner', { leaseMs: 5000, progress: { progress: 1 } });
      await store.requestCancel(job.id);
      await store.appendOutput(job.id, 'stdout', 'x');
      await store.requestCancel(other.id);
      await store.transition(
        job.id,
        { from: 'running', ownerToken: 'owner' },
        { status: 'cancelled' },
      );
      await store.prune();
      await eventually(() => mine.some((event) => event.type === 'deleted'), 'the deleted hint');
      expect(mine.every((event) => event.id === job.id)).toBe(true);
      expect(mine).toContainEqual(
        expect.objectContaining({ type: 'changed', id: job.id, version: 2 }),
      );
      expect(mine).toContainEqual(
        expect.objectContaining({ type: 'changed', id: job.id, cancelRequested: true }),
      );
      expect(mine).toContainEqual(expect.objectContaining({ type: 'output', id: job.id }));
      expect(mine).toContainEqual(
        expect.objectContaining({ type: 'changed', id: job.id, status: 'cancelled' }),
      );
      await eventually(
        () => all.some((event) => event.type === 'deleted' && event.id === other.id),
        'every hint',
      );
      expect(all).toContainEqual(
        expect.objectContaining({ type: 'changed', id: other.id, status: 'cancelled' }),
      );
      unsubscribeMine();
      unsubscribeAll();
      const after: JobEvent[] = [];
      store.subscribe((event) => after.push(event), { id: 'someone-else-000000000000' });
      const count = all.length;
      await store.create(pendingJob());
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(all).toHaveLength(count);
      expect(after).toHaveLength(0);
    });

    it('keeps delivering to others when a listener throws', async () => {
      const store = harness.store();
      store.subscribe(() => {
        throw new Error('listener bug');
      });
      const seen: JobEvent[] = [];
      store.subscribe((event) => seen.push(event));
      const job = await store.create(pendingJob());
      await store.requestCancel(job.id);
      await eventually(() => seen.some((event) => event.status === 'cancelled'), 'the cancel hint');
      expect((await store.get(job.id))?.status).toBe('cancelled');
    });
  });

  describe('close', () => {
    it('closes idempotently; later calls reject with CLOSED', async () => {
      const store = harness.store();
      await store.create(pendingJob());
      await store.close();
      await store.close();
      await expect(store.create(pendingJob())).rejects.toMatchObject({ code: 'CLOSED' });
      await expect(store.list()).rejects.toMatchObject({ code: 'CLOSED' });
    });
  });
}
