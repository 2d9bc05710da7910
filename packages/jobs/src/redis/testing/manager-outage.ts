import type { WorkContext } from '@sa/core';
import { expect } from 'vitest';
import { createJobManager } from '../../job-manager';
import type { JobEvent, JobStore } from '../../job-store';
import type { TcpProxy } from '../../testing/tcp-proxy';

/** What `checkManagerOutage` needs: a store behind the proxy and one straight to the server. */
export interface ManagerOutageSetup {
  proxy: TcpProxy;
  /** The store the manager uses (through the proxy). */
  proxied: JobStore;
  /** A store on the same data, straight to the server, to observe from outside. */
  direct: JobStore;
}

/**
 * Checks that a job manager keeps a running job running through a store outage, retries its
 * heartbeats and terminal write, and lands the terminal write exactly once when the store is back.
 */
export async function checkManagerOutage(setup: ManagerOutageSetup): Promise<void> {
  const { proxy, proxied, direct } = setup;
  const warnings: string[] = [];
  const manager = createJobManager({
    store: proxied,
    leaseMs: 10_000,
    heartbeatMs: 100,
    logger: { warn: (message) => warnings.push(message) },
  });
  try {
    let finishWork!: (value: string) => void;
    let context: WorkContext | undefined;
    const job = await manager.start(
      (workContext) => {
        context = workContext;
        return new Promise<string>((resolve) => {
          finishWork = resolve;
        });
      },
      { tool: 'outage', label: 'outage' },
    );
    await expect.poll(async () => (await direct.get(job.id))?.status).toBe('running');
    const completions: JobEvent[] = [];
    direct.subscribe(
      (event) => {
        if (event.status === 'completed') completions.push(event);
      },
      { id: job.id },
    );

    proxy.cut();
    // Heartbeats fail while the store is unreachable; the work keeps running.
    await expect
      .poll(() => warnings.some((message) => message.includes('heartbeat')), { timeout: 5000 })
      .toBe(true);
    context!.reportProgress({ progress: 1, total: 2, message: 'during the outage' });
    expect(context!.signal.aborted).toBe(false);
    finishWork('finished during the outage');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await direct.get(job.id))?.status).toBe('running');

    manager.appendOutput(job.id, 'stdout', 'written during the outage\n');
    proxy.restore();
    await expect
      .poll(async () => (await direct.get(job.id))?.status, { timeout: 15_000 })
      .toBe('completed');
    const stored = await direct.get(job.id);
    expect(stored).toMatchObject({ status: 'completed', result: 'finished during the outage' });
    expect(context!.signal.aborted).toBe(false);
    // No output is lost to the outage. It was appended after the work ended, so its retried
    // write may land after the terminal write: wait for it rather than read it once.
    await expect
      .poll(async () => (await direct.readOutput(job.id, 'stdout')).data, { timeout: 15_000 })
      .toBe('written during the outage\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(completions).toHaveLength(1);
    expect((await direct.get(job.id))?.version).toBe(stored?.version);
  } finally {
    await manager.close();
  }
}
