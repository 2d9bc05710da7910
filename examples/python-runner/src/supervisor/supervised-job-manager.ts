import { AsyncLocalStorage } from 'node:async_hooks';
import type { BackgroundTask, WorkContext } from '@sa/core';
import type { JobManager, JobMeta, JobRecord } from '@sa/jobs';
import type { RemoteRun, SupervisorClient } from './supervisor-client';

/**
 * One smart-tool call's link to the supervisor: which remote run its work started, and whether
 * it was started as a job (`start`) rather than inline.
 */
export class SupervisedCall {
  /** Set for `start` calls: the run goes to the supervisor as a job at once. */
  readonly startMeta: JobMeta | undefined;
  #remote: RemoteRun | undefined;
  #resolveRemote: (remote: RemoteRun | undefined) => void = () => undefined;
  /** Resolves with the remote run, or undefined when the work ended without reaching the supervisor. */
  readonly remote: Promise<RemoteRun | undefined>;
  #resolveStarted: (record: JobRecord) => void = () => undefined;
  /** For `start` calls: the supervisor's job. */
  readonly started: Promise<JobRecord>;

  constructor(startMeta?: JobMeta) {
    this.startMeta = startMeta;
    this.remote = new Promise((resolve) => {
      this.#resolveRemote = resolve;
    });
    this.started = new Promise((resolve) => {
      this.#resolveStarted = resolve;
    });
  }

  /** The work started this remote run. */
  bind(remote: RemoteRun): void {
    this.#remote ??= remote;
    this.#resolveRemote(remote);
  }

  /** The supervisor made the work a job. */
  startedAs(record: JobRecord): void {
    this.#resolveStarted(record);
  }

  /** The work ended (whether or not it reached the supervisor). */
  ended(): void {
    this.#resolveRemote(this.#remote);
  }
}

const calls = new AsyncLocalStorage<SupervisedCall>();

/** The smart-tool call whose work is running in the current async context, if any. */
export function currentSupervisedCall(): SupervisedCall | undefined {
  return calls.getStore();
}

/**
 * Wraps the server's job manager for the smart tools so that their work runs under the
 * supervisor: an inline call that passes its budget (or loses its client) becomes a job the
 * supervisor owns (`adopt`), and an async call or task starts as one (`start`). Everything else
 * (status, wait, cancel, output, lists) goes to the store through the server's own manager.
 * Work that never reached the supervisor (an invalid request) is recorded as before. The time
 * to start the supervisor (first call only) does not count against a call's budget.
 *
 * @example
 * registerSmartTool(server, name, config, handler, { jobs: createSupervisedJobManager(jobs, client) });
 */
export function createSupervisedJobManager(
  jobs: JobManager,
  supervisor: SupervisorClient,
): JobManager {
  const promoted = new WeakMap<BackgroundTask<unknown>, SupervisedCall>();
  return {
    get store() {
      return jobs.store;
    },
    get runner() {
      return jobs.runner;
    },
    get instanceId() {
      return jobs.instanceId;
    },
    async runWithBudget(work, options) {
      // A failure to connect shows when the work runs (as the tool's error).
      await supervisor.ready().catch(() => undefined);
      const call = new SupervisedCall();
      const outcome = await jobs.runWithBudget(
        (context) =>
          calls.run(call, () => {
            const running = work(context);
            void Promise.resolve(running).then(
              () => call.ended(),
              () => call.ended(),
            );
            return running;
          }),
        options,
      );
      if (outcome.status !== 'completed') promoted.set(outcome.task, call);
      return outcome;
    },
    async adopt(task, meta) {
      const call = promoted.get(task);
      const remote = await call?.remote;
      if (remote === undefined) return jobs.adopt(task, meta);
      try {
        return await remote.adopt(meta);
      } catch {
        // The run finished before the supervisor saw the request: this process has its result.
        return jobs.adopt(task, meta);
      }
    },
    async start(work, meta) {
      await supervisor.ready().catch(() => undefined);
      const call = new SupervisedCall(meta);
      const controller = new AbortController();
      const context: WorkContext = { signal: controller.signal, reportProgress: () => undefined };
      const outcome = calls.run(call, () =>
        Promise.resolve()
          .then(() => work(context))
          .then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          ),
      );
      const first = await Promise.race([
        call.started.then((record) => ({ record })),
        outcome.then((settled) => ({ settled })),
      ]);
      if ('record' in first) return first.record;
      // The work ended before it reached the supervisor (a bad request): record it as before.
      const { settled } = first;
      return jobs.start(
        () =>
          'error' in settled
            ? Promise.reject(
                settled.error instanceof Error ? settled.error : new Error(String(settled.error)),
              )
            : Promise.resolve(settled.value),
        meta,
      );
    },
    createExternal: (meta) => jobs.createExternal(meta),
    settleExternal: (id, outcome) => jobs.settleExternal(id, outcome),
    now: () => jobs.now(),
    readNewOutput: (id, stream, options) => jobs.readNewOutput(id, stream, options),
    outputCursor: (id, stream, options) => jobs.outputCursor(id, stream, options),
    appendOutput: (id, stream, chunk) => jobs.appendOutput(id, stream, chunk),
    flushOutput: (id) => jobs.flushOutput(id),
    get: (id, options) => jobs.get(id, options),
    list: (query) => jobs.list(query),
    cancel: (id, options) => jobs.cancel(id, options),
    wait: (id, options) => jobs.wait(id, options),
    readOutput: (id, stream, options) => jobs.readOutput(id, stream, options),
    prune: (options) => jobs.prune(options),
    close: (options) => jobs.close(options),
  };
}
