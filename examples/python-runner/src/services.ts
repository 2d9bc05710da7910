import type { ServerContext } from '@modelcontextprotocol/server';
import type { ProgressUpdate } from '@sa/core';
import { scopeOf } from '@sa/mcp/sdk-v2';
import { ClosedError, SaError, createCoalescer, defaultTimers, isSaError } from '@sa/core';
import type { JobManager, JobMeta, JobRecord, JsonValue } from '@sa/jobs';
import type { PythonRunnerConfig } from './config';
import type { Logger } from './logger';
import { createOutputBatcher } from './python/output-batcher';
import type { ExecuteOptions, PreparedRun, PythonRunner } from './python/python-runner';
import type { BenchmarkResult } from './python/script-request';
import type { StreamName } from './python/run-process';
import {
  createSupervisedJobManager,
  currentSupervisedCall,
} from './supervisor/supervised-job-manager';
import type { RemoteRun, SupervisorClient } from './supervisor/supervisor-client';

/** The request context the SDK (v2) hands a tool handler. */
export type ToolExtra = ServerContext;

/** The scope of the caller's jobs (auth subject, else the 2025 HTTP session, else none): `@sa/mcp`'s rule. */
export function callerScopeOf(extra: ToolExtra): string | null {
  return scopeOf({ sessionId: extra.sessionId, authInfo: extra.http?.authInfo });
}

/** What every tool of the server shares: the runner, the job manager, and the live runs. */
export interface PythonRunnerServices {
  readonly config: PythonRunnerConfig;
  readonly logger: Logger;
  readonly runner: PythonRunner;
  readonly jobs: JobManager;
  /** True once shutdown began: new calls are refused. */
  readonly closing: boolean;
  /** Throws `CLOSED` once shutdown began. */
  assertOpen(): void;
  /**
   * Runs a prepared run within the request: cancelled with the request and at shutdown,
   * progress sent as `notifications/progress` when the client asked for it.
   */
  runInline(
    prepared: PreparedRun,
    extra: ToolExtra,
    options?: Pick<ExecuteOptions, 'benchmark'>,
  ): Promise<BenchmarkResult>;
  /**
   * Runs a prepared run with the given signal and sinks; shutdown also cancels it (unless it
   * runs under the supervisor: then it becomes a job, recorded with `meta`).
   */
  runTracked(
    prepared: PreparedRun,
    options: ExecuteOptions,
    meta?: JobMeta,
  ): Promise<BenchmarkResult>;
  /** Starts a prepared run as a job in the store (legacy `_async` tools). */
  startJob(
    prepared: PreparedRun,
    meta: { tool: string; label: string; input: JsonValue; scope: string | null },
  ): Promise<JobRecord>;
  /** Waits for the job's work here to end; removes the inline script of one that never started. */
  releaseJob(jobId: string): Promise<void>;
  /** The pid of a job's child while it runs in this process. */
  pidOf(jobId: string): number | undefined;
  /** How many output chunks a job's child wrote, as seen by this process. */
  chunkCounts(jobId: string): Record<StreamName, number>;
  /**
   * Stops accepting calls and closes the manager. Under the supervisor, scripts go on (inline
   * runs become its jobs); otherwise inline runs and their children end, and running jobs are
   * recorded `interrupted` with `reason`.
   */
  close(reason?: string): Promise<void>;
}

/** Longest shutdown waits for killed children to be gone. */
const shutdownWaitMs = 10_000;

/** Options for `createServices`. */
export interface CreateServicesOptions {
  config: PythonRunnerConfig;
  logger: Logger;
  runner: PythonRunner;
  jobs: JobManager;
  /** Runs scripts under the supervisor of the store (default: in this process). */
  supervisor?: SupervisorClient;
}

/** Wires the runner and the job manager together for the tools. */
export function createServices(options: CreateServicesOptions): PythonRunnerServices {
  const { runner, jobs, logger, supervisor } = options;
  const inlineRuns = new Set<AbortController>();
  // Every execution in flight, so shutdown can wait until each child tree is really gone.
  const executions = new Set<Promise<unknown>>();
  const track = <T>(execution: Promise<T>): Promise<T> => {
    executions.add(execution);
    const forget = (): void => {
      executions.delete(execution);
    };
    execution.then(forget, forget);
    return execution;
  };
  const pids = new Map<string, number>();
  const chunks = new Map<string, Record<StreamName, number>>();
  // Prepared runs of jobs whose work has not started yet (their inline scripts wait on disk).
  const notStarted = new Map<string, PreparedRun>();
  // Work of jobs running in this process: settles once the child is gone and its inline script removed.
  const workEnded = new Map<string, Promise<void>>();
  // Prepared runs of legacy jobs started under the supervisor by this process.
  const supervisedRuns = new Map<string, PreparedRun>();
  const releaseJob = async (jobId: string): Promise<void> => {
    // The job has settled (its tree is being killed): its inline script can go now, also when
    // it never started or the supervisor has not got to removing it yet.
    await supervisedRuns.get(jobId)?.dispose();
    supervisedRuns.delete(jobId);
    // A cancelled job can settle before its work has finished killing the child: wait for it.
    await workEnded.get(jobId);
    const prepared = notStarted.get(jobId);
    notStarted.delete(jobId);
    await prepared?.dispose();
  };
  let closing = false;
  let jobsClosed = false;

  const assertOpen = (): void => {
    if (closing) throw new ClosedError('The server is shutting down and accepts no new calls');
  };

  const runSupervised = async (
    client: SupervisorClient,
    prepared: PreparedRun,
    runOptions: ExecuteOptions,
    signal: AbortSignal,
    meta: JobMeta | undefined,
  ): Promise<BenchmarkResult> => {
    const call = currentSupervisedCall();
    if (call?.startMeta !== undefined) {
      const record = await startSupervisedJob(client, prepared, call.startMeta);
      call.startedAs(record);
      throw new SaError('CLOSED', `The run continues as job ${record.id} of the supervisor`);
    }
    let remote: RemoteRun;
    try {
      remote = await client.run(prepared, {
        signal,
        ...(runOptions.benchmark === undefined ? {} : { benchmark: runOptions.benchmark }),
        ...(runOptions.onProgress === undefined ? {} : { onProgress: runOptions.onProgress }),
        ...(runOptions.onSpawn === undefined ? {} : { onSpawn: runOptions.onSpawn }),
        meta: meta ?? { tool: 'py_run', label: prepared.script },
      });
    } catch (error) {
      // It never reached the supervisor: its inline script is still ours to remove.
      await prepared.dispose();
      throw error;
    }
    call?.bind(remote);
    return remote.result;
  };

  const runTracked = async (
    prepared: PreparedRun,
    runOptions: ExecuteOptions,
    meta?: JobMeta,
  ): Promise<BenchmarkResult> => {
    assertOpen();
    if (supervisor !== undefined) {
      const controller = new AbortController();
      const outer = runOptions.signal;
      const onAbort = (): void => controller.abort(outer?.reason);
      outer?.addEventListener('abort', onAbort, { once: true });
      if (outer?.aborted) controller.abort(outer.reason);
      inlineRuns.add(controller);
      try {
        return await track(
          runSupervised(supervisor, prepared, runOptions, controller.signal, meta),
        );
      } finally {
        outer?.removeEventListener('abort', onAbort);
        inlineRuns.delete(controller);
      }
    }
    const controller = new AbortController();
    const outer = runOptions.signal;
    const onAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    if (outer?.aborted) controller.abort(outer.reason);
    inlineRuns.add(controller);
    const onOutput = runOptions.onOutput;
    // Once the manager closed, what a killed script still prints has nowhere to go.
    const batcher = onOutput
      ? createOutputBatcher((stream, chunk) => {
          if (!jobsClosed) onOutput(stream, chunk);
        })
      : undefined;
    try {
      return await track(
        runner.execute(prepared, {
          ...runOptions,
          signal: controller.signal,
          onOutput: batcher?.sink,
        }),
      );
    } finally {
      batcher?.flush();
      outer?.removeEventListener('abort', onAbort);
      inlineRuns.delete(controller);
    }
  };

  const startSupervisedJob = async (
    client: SupervisorClient,
    prepared: PreparedRun,
    meta: JobMeta,
  ): Promise<JobRecord> => {
    // The child may start before the job's id arrives here.
    const seen: { jobId?: string; pid?: number } = {};
    const counts = { stdout: 0, stderr: 0 };
    let record: JobRecord;
    try {
      record = await client.start(prepared, meta, {
        onSpawn: (spawned) => {
          seen.pid = spawned;
          if (seen.jobId !== undefined) pids.set(seen.jobId, spawned);
        },
        onChunks: (seen) => Object.assign(counts, seen),
      });
    } catch (error) {
      // Refused (the supervisor removed the script) or never sent: the script is not running.
      if (!isSaError(error, 'INTERRUPTED')) await prepared.dispose();
      throw error;
    }
    seen.jobId = record.id;
    chunks.set(record.id, counts);
    if (seen.pid !== undefined) pids.set(record.id, seen.pid);
    supervisedRuns.set(record.id, prepared);
    return record;
  };

  return {
    config: options.config,
    logger,
    runner,
    jobs: supervisor === undefined ? jobs : createSupervisedJobManager(jobs, supervisor),
    get closing() {
      return closing;
    },
    assertOpen,
    runTracked,
    async runInline(prepared, extra, runOptions = {}) {
      const progressToken = extra.mcpReq._meta?.progressToken;
      let lastProgress = Number.NEGATIVE_INFINITY;
      const progress = createCoalescer<ProgressUpdate>(
        (update) => {
          if (progressToken === undefined || update.progress <= lastProgress) return;
          lastProgress = update.progress;
          extra.mcpReq
            .notify({
              method: 'notifications/progress',
              params: { progressToken, ...update },
            })
            .catch(() => undefined);
        },
        { intervalMs: 100, timers: defaultTimers },
      );
      try {
        return await runTracked(prepared, {
          ...runOptions,
          signal: extra.mcpReq.signal,
          onProgress: (update) => progress.push(update),
        });
      } finally {
        progress.flush();
        progress.dispose();
      }
    },
    async startJob(prepared, meta) {
      assertOpen();
      if (supervisor !== undefined) return startSupervisedJob(supervisor, prepared, meta);
      let resolveId: (id: string) => void = () => undefined;
      const jobId = new Promise<string>((resolve) => {
        resolveId = resolve;
      });
      const counts = { stdout: 0, stderr: 0 };
      let record: JobRecord;
      try {
        record = await jobs.start(
          async (context) => {
            const id = await jobId;
            notStarted.delete(id);
            chunks.set(id, counts);
            let ended: () => void = () => undefined;
            workEnded.set(
              id,
              new Promise<void>((resolve) => {
                ended = resolve;
              }),
            );
            const batcher = createOutputBatcher((stream, chunk) => {
              // Once the manager closed, late output has nowhere to go.
              if (!jobsClosed) jobs.appendOutput(id, stream, chunk);
            });
            try {
              const result = await track(
                runner.execute(prepared, {
                  signal: context.signal,
                  onProgress: (update) => context.reportProgress(update),
                  onSpawn: (pid) => pids.set(id, pid),
                  onOutput: (stream, chunk) => {
                    counts[stream] += 1;
                    batcher.sink(stream, chunk);
                  },
                }),
              );
              batcher.flush();
              await jobs.flushOutput(id);
              return result as unknown as JsonValue;
            } finally {
              batcher.flush();
              pids.delete(id);
              workEnded.delete(id);
              ended();
            }
          },
          { tool: meta.tool, label: meta.label, input: meta.input, scope: meta.scope },
        );
      } catch (error) {
        await prepared.dispose();
        throw error;
      }
      if (record.status === 'pending') notStarted.set(record.id, prepared);
      resolveId(record.id);
      return record;
    },
    releaseJob,
    pidOf: (jobId) => pids.get(jobId),
    chunkCounts: (jobId) => chunks.get(jobId) ?? { stdout: 0, stderr: 0 },
    async close(reason = 'the server stopped') {
      if (closing) return;
      closing = true;
      // Under the supervisor, letting go of it first turns inline runs into its jobs: the
      // aborts below then reach nothing but this process's side of them.
      supervisor?.detach();
      for (const controller of inlineRuns)
        controller.abort(new ClosedError('The server is shutting down'));
      await jobs.close(
        supervisor === undefined
          ? { graceMs: 0, interruptReason: `The job was interrupted: ${reason}` }
          : { graceMs: 0 },
      );
      jobsClosed = true;
      // A cancelled job settles at once; its child tree is killed a moment later: wait for that.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...executions]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, shutdownWaitMs);
        }),
      ]);
      clearTimeout(timer);
      await Promise.all([...notStarted.keys()].map(releaseJob));
    },
  };
}
