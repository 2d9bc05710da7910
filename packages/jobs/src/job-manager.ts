import { hostname } from 'node:os';
import {
  ClosedError,
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  createRunner,
  defaultTimers,
} from '@sa/core';
import type { BackgroundTask, Work } from '@sa/core';
import { createJobId, createLeaseToken } from './ids';
import { isTerminalStatus } from './job-record';
import type { JobOwner, JobRecord } from './job-record';
import type { JobManager, JobManagerOptions, JobMeta, WaitOptions } from './job-manager-types';
import type { OutputStream } from './job-store';
import { readNewOutput } from './read-new-output';
import { BeatScheduler } from './manager/beat-scheduler';
import { TimerSet } from './manager/manager-timers';
import { StoreLane } from './manager/store-lane';
import { startMaintenance } from './manager/maintenance';
import { createExternalJob, settleExternalJob } from './manager/external-jobs';
import { createOutputWriter } from './manager/output-writer';
import { OwnedJob, progressOf } from './manager/owned-job';
import { handleOwnedJobEvent } from './manager/owned-job-event';
import { resolveManagerOptions } from './manager/resolve-manager-options';
import { waitForJob } from './manager/wait-for-job';
import {
  createOptionsFromMeta,
  newJobFromMeta,
  validateMeta,
  validateTask,
} from './manager/job-meta';
import {
  assertJobId,
  assertNonEmptyString,
  assertOutputChunk,
  assertOutputStream,
  assertScope,
} from './validate-arguments';

/** How long `close` waits for terminal writes after the grace period before giving up. */
const finalWriteTimeoutMs = 10_000;

/**
 * Creates a job manager: runs and adopts work as persisted jobs over a `JobStore`, with leases,
 * heartbeats, fenced terminal writes, cancellation from any process, waiting, a reaper and a pruner.
 *
 * @example
 * const manager = createJobManager({ store: createMemoryJobStore() });
 * const job = await manager.start(async ({ signal }) => build({ signal }), { tool: 'build' });
 * const done = await manager.wait(job.id, { timeoutMs: 60_000 });
 */
export function createJobManager(options: JobManagerOptions): JobManager {
  const settings = resolveManagerOptions(options);
  const { store, logger, leaseMs } = settings;
  const rawTimers = options.timers ?? defaultTimers;
  const clock = options.clock ?? { now: () => Date.now() };
  const instanceId = options.instanceId ?? createJobId();
  const owner: JobOwner = { instanceId, pid: process.pid, host: hostname() };
  const runner = createRunner({
    concurrency: settings.concurrency,
    timers: rawTimers,
    now: () => clock.now(),
  });
  const jobTimers = new TimerSet(rawTimers);
  const maintenanceTimers = new TimerSet(rawTimers);
  const owned = new Map<string, OwnedJob>();
  const localWatchers = new Map<string, Set<() => void>>();
  let closed = false;
  let abandoned = false;
  const closeController = new AbortController();
  let closing: Promise<void> | undefined;

  function notify(id: string): void {
    const watchers = localWatchers.get(id);
    if (watchers !== undefined) for (const watcher of [...watchers]) watcher();
  }

  function watchLocal(id: string, listener: () => void): () => void {
    let watchers = localWatchers.get(id);
    if (watchers === undefined) localWatchers.set(id, (watchers = new Set()));
    watchers.add(listener);
    return () => {
      watchers.delete(listener);
      if (watchers.size === 0) localWatchers.delete(id);
    };
  }

  const output = createOutputWriter({
    store,
    timers: jobTimers,
    logger,
    shouldStop: () => abandoned,
  });
  const lane = new StoreLane({ timers: rawTimers });
  const beats = new BeatScheduler({
    timers: rawTimers,
    now: () => clock.now(),
    heartbeatMs: settings.heartbeatMs,
    progressFlushMs: Math.min(1000, settings.heartbeatMs),
    lane,
  });
  const ownedContext = {
    store,
    timers: jobTimers,
    beats,
    lane,
    output,
    logger,
    leaseMs,
    retention: settings.retention,
    abandoned: () => abandoned,
    notify,
    release: (id: string) => {
      owned.delete(id);
    },
  };

  const unsubscribeStore = store.subscribe((event) => {
    const job = owned.get(event.id);
    if (job !== undefined) handleOwnedJobEvent(job, event, store);
  });

  const maintenance = startMaintenance({
    store,
    timers: maintenanceTimers,
    owner,
    logger,
    reapIntervalMs: settings.reapIntervalMs,
    pruneIntervalMs: settings.pruneIntervalMs,
    retention: settings.retention,
    onInterrupted: (record) => {
      owned.get(record.id)?.lose('its lease expired and it was interrupted');
      notify(record.id);
    },
  });

  function ensureOpen(): void {
    if (closed) throw new ClosedError('The job manager is closed');
  }

  const externalContext = { store, retention: settings.retention, ensureOpen, notify };

  function track(record: JobRecord, token: string, task: BackgroundTask<unknown>): void {
    const job = new OwnedJob(ownedContext, record, token, task);
    owned.set(record.id, job);
    job.start();
    notify(record.id);
  }

  async function waitForOwned(deadlineMs: number): Promise<void> {
    const pending = [...owned.values()].map((job) =>
      job.task.result.then(
        () => undefined,
        () => undefined,
      ),
    );
    if (pending.length === 0 || deadlineMs <= 0) return;
    await Promise.race([Promise.all(pending), jobTimers.sleep(deadlineMs)]);
  }

  const manager: JobManager = {
    store,
    runner,
    instanceId,

    async adopt<T>(task: BackgroundTask<T>, meta: JobMeta): Promise<JobRecord> {
      ensureOpen();
      validateTask(task);
      validateMeta(meta);
      const token = createLeaseToken();
      const record = await lane.run(() =>
        store.create(
          {
            label: meta.label ?? meta.tool,
            tool: meta.tool,
            ...(meta.input === undefined ? {} : { input: meta.input }),
            status: task.status === 'pending' ? 'pending' : 'running',
            scope: meta.scope ?? null,
            owner,
            leaseToken: token,
            leaseMs,
            createdAt: task.createdAt,
            startedAt: task.startedAt ?? null,
            progress: progressOf(task),
          },
          meta.idempotencyKey === undefined ? undefined : { idempotencyKey: meta.idempotencyKey },
        ),
      );
      if (record.leaseToken !== token) {
        // The key names a job that already exists: this work would duplicate it.
        task.cancel(`Duplicate of job ${record.id} (same idempotency key)`);
        return record;
      }
      track(record, token, task);
      return record;
    },

    async start<T>(work: Work<T>, meta: JobMeta): Promise<JobRecord> {
      ensureOpen();
      if (typeof work !== 'function')
        throw new InvalidArgumentError(
          'Invalid work: expected a function ({ signal, reportProgress }) => Promise',
          {
            data: { field: 'work' },
          },
        );
      validateMeta(meta);
      const token = createLeaseToken();
      const record = await store.create(
        newJobFromMeta(meta, {
          status: 'pending',
          owner,
          leaseToken: token,
          leaseMs,
          createdAt: clock.now(),
        }),
        createOptionsFromMeta(meta),
      );
      if (record.leaseToken !== token) return record;
      let task: BackgroundTask<T>;
      try {
        task = runner.startInBackground(work);
      } catch (error) {
        await store
          .transition(
            record.id,
            { from: 'pending', ownerToken: token },
            {
              status: 'cancelled',
              error: {
                code: 'CLOSED',
                message: 'The job manager closed before the job could start',
              },
            },
          )
          .catch(() => undefined);
        throw error;
      }
      track(record, token, task);
      return record;
    },

    runWithBudget(work, runOptions) {
      return runner.runWithBudget(work, runOptions);
    },

    createExternal(meta) {
      return createExternalJob(externalContext, meta);
    },

    settleExternal(id, outcome) {
      return settleExternalJob(externalContext, id, outcome);
    },

    now() {
      return store.now();
    },

    readNewOutput(id, stream, readOptions) {
      assertJobId(id);
      assertOutputStream(stream);
      return readNewOutput(store, id, stream, readOptions);
    },

    async outputCursor(id, stream, cursorOptions) {
      assertJobId(id);
      assertOutputStream(stream);
      return (
        (await store.getCursor(id, `${cursorOptions?.cursorName ?? 'delivered'}:${stream}`)) ?? 0
      );
    },

    appendOutput(id: string, stream: OutputStream, chunk: string): void {
      assertJobId(id);
      assertOutputStream(stream);
      assertOutputChunk(chunk);
      output.append(id, stream, chunk);
    },

    flushOutput(id: string): Promise<void> {
      return output.flush(id);
    },

    get(id, getOptions) {
      return store.get(id, getOptions);
    },

    list(query) {
      return store.list(query);
    },

    async cancel(
      id: string,
      cancelOptions?: { scope?: string | null; reason?: string },
    ): Promise<JobRecord> {
      assertJobId(id);
      if (cancelOptions?.scope !== undefined) assertScope('scope', cancelOptions.scope);
      if (cancelOptions?.reason !== undefined) assertNonEmptyString('reason', cancelOptions.reason);
      const scope = cancelOptions?.scope === undefined ? undefined : { scope: cancelOptions.scope };
      const current = await store.get(id, scope);
      if (current === undefined) throw new NotFoundError(`Job ${id} not found`);
      if (isTerminalStatus(current.status))
        throw new ConflictError(
          `Job ${id} already finished (${current.status}); it cannot be cancelled`,
          {
            data: { status: current.status },
          },
        );
      const record = await store.requestCancel(id, cancelOptions?.reason);
      if (record === undefined) throw new NotFoundError(`Job ${id} not found`);
      if (isTerminalStatus(record.status) && record.status !== 'cancelled')
        throw new ConflictError(
          `Job ${id} finished (${record.status}) before it could be cancelled`,
          {
            data: { status: record.status },
          },
        );
      notify(id);
      const job = owned.get(id);
      if (job === undefined) return record;
      // This process owns the work: stop it now and return the stored terminal record.
      job.requestCancel(cancelOptions?.reason ?? null);
      await job.finalizing;
      return (await store.get(id)) ?? record;
    },

    wait(id: string, waitOptions: WaitOptions): Promise<JobRecord> {
      return waitForJob(
        {
          store,
          timers: rawTimers,
          pollMs: settings.waitPollMs,
          watchLocal,
          closeSignal: closeController.signal,
        },
        id,
        waitOptions,
      );
    },

    readOutput(id, stream, readOptions) {
      return store.readOutput(id, stream, readOptions);
    },

    prune(pruneOptions) {
      return store.prune(pruneOptions);
    },

    close(closeOptions?: { graceMs?: number; interruptReason?: string }): Promise<void> {
      if (closing !== undefined) return closing;
      const graceMs = closeOptions?.graceMs ?? 0;
      const interruptReason = closeOptions?.interruptReason;
      if (
        interruptReason !== undefined &&
        (typeof interruptReason !== 'string' || interruptReason.trim() === '')
      )
        return Promise.reject(
          new InvalidArgumentError(
            `Invalid interruptReason: expected a non-empty string, got ${JSON.stringify(interruptReason)}`,
            { data: { field: 'interruptReason' } },
          ),
        );
      if (typeof graceMs !== 'number' || !Number.isFinite(graceMs) || graceMs < 0)
        return Promise.reject(
          new InvalidArgumentError(
            `Invalid graceMs: expected a number >= 0, got ${String(graceMs)}`,
            {
              data: { field: 'graceMs' },
            },
          ),
        );
      closed = true;
      maintenance.stop();
      maintenanceTimers.clearAll();
      if (interruptReason !== undefined)
        for (const job of owned.values()) job.markInterrupted(interruptReason);
      closing = (async () => {
        await Promise.all([runner.close({ graceMs }), waitForOwned(graceMs)]);
        for (const job of [...owned.values()]) {
          if (interruptReason === undefined)
            job.requestCancel('The job manager closed before the job finished');
          else job.interrupt(interruptReason);
        }
        const finals = [...owned.values()].map((job) => job.finalizing);
        const finished = await Promise.race([
          Promise.all([...finals, output.flushAll()]).then(() => true),
          jobTimers.sleep(finalWriteTimeoutMs).then(() => false),
        ]);
        if (!finished) {
          abandoned = true;
          logger.warn(
            `[@sa/jobs] closed with ${owned.size} job(s) not finalised (store unreachable); ` +
              'the reaper of another manager will mark them interrupted when their lease expires',
          );
        }
        closeController.abort();
        beats.close();
        lane.close();
        jobTimers.clearAll();
        unsubscribeStore();
        localWatchers.clear();
      })();
      return closing;
    },
  };
  return manager;
}
