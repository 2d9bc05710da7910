import { expect } from 'vitest';
import { createJobManager } from '../../job-manager';
import type { JobStore } from '../../job-store';
import { startReplica } from './replica-process';
import type { Replica } from './replica-process';

/**
 * Two replicas sharing one store: a job started by replica A (a separate process) shows
 * `running` with progress and output on B; B's cancel stops A's work; after `kill -9` of A,
 * B reports A's next job `interrupted` within the lease.
 */
export async function checkReplicas(options: {
  kind: 'redis' | 'postgres';
  url: string;
  namespace: string;
  /** Replica B's store, on the same prefix or schema. */
  store: JobStore;
}): Promise<void> {
  const manager = createJobManager({
    store: options.store,
    leaseMs: 1500,
    heartbeatMs: 200,
    reapIntervalMs: 200,
    logger: { warn: () => undefined },
  });
  const replicas: Replica[] = [];
  try {
    // Jobs of replica A (another process), followed from B.
    const replica = await startReplica(options.kind, options.url, options.namespace);
    replicas.push(replica);
    const [first, second] = replica.jobIds as [string, string];
    const seen = await manager.wait(first, { timeoutMs: 5000, until: 'change' });
    expect(seen.status).toBe('running');
    await expect
      .poll(async () => (await manager.get(first))?.progress?.progress ?? 0, { timeout: 5000 })
      .toBeGreaterThan(1);
    await expect
      .poll(async () => (await manager.readOutput(first, 'stdout')).data, { timeout: 5000 })
      .toContain('line 2\n');

    // Cancel on B: A's work is aborted and A records the cancellation.
    await manager.cancel(first, { reason: 'cancelled on replica B' });
    const cancelled = await manager.wait(first, { timeoutMs: 5000 });
    expect(cancelled.status).toBe('cancelled');
    expect(replica.messages).toContainEqual({ aborted: first });

    // kill -9 of A: B reports A's other job interrupted within the lease.
    expect((await manager.get(second))?.status).toBe('running');
    replica.child.kill('SIGKILL');
    const interrupted = await manager.wait(second, { timeoutMs: 6000 });
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.error?.code).toBe('INTERRUPTED');
  } finally {
    for (const replica of replicas) replica.child.kill('SIGKILL');
    await manager.close();
  }
}
