import type { Socket } from 'node:net';
import type { ProgressUpdate, SaErrorCode } from '@sa/core';
import { CancelledError, SaError } from '@sa/core';
import type { JobMeta, JobRecord } from '@sa/jobs';
import type { Logger } from '../logger';
import type { PreparedRun } from '../python/python-runner';
import type { BenchmarkResult } from '../python/script-request';
import type { StreamName } from '../python/run-process';
import type { SupervisorPaths } from './supervisor-paths';
import type { ServerMessage, SupervisorMessage, WireError } from './supervisor-protocol';
import { readMessages, sendMessage, serializeRun } from './supervisor-protocol';
import type { SupervisorSettings } from './supervisor-settings';
import { connectToSupervisor } from './start-supervisor';

/** What a run tells the server while it runs in the supervisor. */
export interface RemoteRunHooks {
  onProgress?: (update: ProgressUpdate) => void;
  onSpawn?: (pid: number) => void;
  onChunks?: (counts: Record<StreamName, number>) => void;
}

/** Options of `SupervisorClient.run`. */
export interface RemoteRunOptions extends RemoteRunHooks {
  /** Cancels the run while it is inline (after it became a job, cancel the job instead). */
  signal?: AbortSignal;
  benchmark?: { sampleIntervalMs: number };
  /** The job the supervisor records if this server goes away while the run is inline. */
  meta: JobMeta;
}

/** A run going on in the supervisor, inline for this server until `adopt`. */
export interface RemoteRun {
  /**
   * The run's result while it is inline. Once it became a job (`adopt`) this rejects with
   * `CLOSED` (the job has the result), and this server's signal no longer cancels it.
   */
  readonly result: Promise<BenchmarkResult>;
  /** Makes the run a job the supervisor owns; resolves with its record. */
  adopt(meta: JobMeta): Promise<JobRecord>;
}

/** A server's connection to the supervisor of its store (connected, and the supervisor started, on first use). */
export interface SupervisorClient {
  /** Connects (starting the supervisor when none runs); resolves once it can take runs. */
  ready(): Promise<void>;
  /** Runs a prepared run inline in the supervisor. */
  run(prepared: PreparedRun, options: RemoteRunOptions): Promise<RemoteRun>;
  /** Starts a prepared run as a job of the supervisor at once. */
  start(prepared: PreparedRun, meta: JobMeta, hooks?: RemoteRunHooks): Promise<JobRecord>;
  /**
   * Lets go of the supervisor: inline runs become its jobs (results kept), nothing is cancelled.
   * Later calls connect again.
   */
  detach(): void;
  /** The supervisor's pid once connected. */
  readonly supervisorPid: number | undefined;
}

/** Options for `createSupervisorClient`. */
export interface CreateSupervisorClientOptions {
  settings: SupervisorSettings;
  paths: SupervisorPaths;
  logger: Logger;
  /** Tells whether a prepared run's script is an inline script (removed once it ran). */
  isInlineScript(script: string): boolean;
}

interface PendingRun {
  hooks: RemoteRunHooks;
  resolve(result: BenchmarkResult): void;
  reject(error: unknown): void;
  job?: { resolve(record: JobRecord): void; reject(error: unknown): void };
  /** True once the run is a job of the supervisor: nothing more is expected here but events. */
  handedOff: boolean;
  settled: boolean;
  cleanup(): void;
}

interface Connection {
  socket: Socket;
  pid: number | undefined;
  log: string;
  runs: Map<number, PendingRun>;
}

const knownCodes = new Set<string>([
  'CANCELLED',
  'TIMEOUT',
  'CLOSED',
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'NOT_SERIALIZABLE',
  'STORE_UNAVAILABLE',
  'CORRUPT_RECORD',
  'INTERRUPTED',
  'HANDLER_ERROR',
  'INTERNAL',
]);

function fromWire(error: WireError): SaError {
  if (error.code === 'CANCELLED') return new CancelledError(error.message);
  const code = (knownCodes.has(error.code) ? error.code : 'INTERNAL') as SaErrorCode;
  return new SaError(code, error.message);
}

/**
 * Creates the client a server runs scripts through: one Unix socket connection to the
 * supervisor of its store, started on demand.
 *
 * @example
 * const client = createSupervisorClient({ settings, paths, logger, isInlineScript });
 * const run = await client.run(prepared, { meta: { tool: 'py_run_script_in_dir_v2' } });
 * const result = await run.result;
 */
export function createSupervisorClient(options: CreateSupervisorClientOptions): SupervisorClient {
  const { settings, paths, logger } = options;
  let connecting: Promise<Connection> | undefined;
  let current: Connection | undefined;
  let nextId = 1;

  const onMessage = (connection: Connection, message: SupervisorMessage): void => {
    if (message.type === 'hello') {
      connection.pid = message.pid;
      connection.log = message.log;
      return;
    }
    const run = connection.runs.get(message.id);
    if (run === undefined) return;
    switch (message.type) {
      case 'spawned':
        run.hooks.onSpawn?.(message.pid);
        break;
      case 'progress':
        if (!run.handedOff) run.hooks.onProgress?.(message.update);
        break;
      case 'chunks':
        run.hooks.onChunks?.({ stdout: message.stdout, stderr: message.stderr });
        break;
      case 'done':
        settle(connection, message.id, run, () => run.resolve(message.result));
        break;
      case 'failed':
        settle(connection, message.id, run, () => run.reject(fromWire(message.error)));
        break;
      case 'job': {
        const waiter = run.job;
        run.job = undefined;
        run.handedOff = true;
        run.cleanup();
        if (!run.settled) {
          run.settled = true;
          run.reject(new SaError('CLOSED', `The run continues as job ${message.record.id}`));
        }
        waiter?.resolve(message.record);
        break;
      }
      case 'refused': {
        const waiter = run.job;
        run.job = undefined;
        const error = fromWire(message.error);
        if (waiter !== undefined) waiter.reject(error);
        else settle(connection, message.id, run, () => run.reject(error));
        if (run.settled && run.job === undefined && !run.handedOff)
          connection.runs.delete(message.id);
        break;
      }
    }
  };

  const settle = (
    connection: Connection,
    id: number,
    run: PendingRun,
    finish: () => void,
  ): void => {
    if (run.settled) return;
    run.settled = true;
    run.cleanup();
    // Keep the entry while an adopt waits for its reply.
    if (run.job === undefined) connection.runs.delete(id);
    finish();
  };

  const onClose = (connection: Connection): void => {
    if (current === connection) current = undefined;
    const why = new SaError(
      'INTERRUPTED',
      `The supervisor process${connection.pid === undefined ? '' : ` ${connection.pid}`} went away while the script ran; see ${connection.log}`,
    );
    for (const run of connection.runs.values()) {
      run.job?.reject(why);
      run.job = undefined;
      if (!run.settled && !run.handedOff) {
        run.settled = true;
        run.cleanup();
        run.reject(why);
      }
    }
    connection.runs.clear();
  };

  const ensure = (): Promise<Connection> => {
    if (current !== undefined) return Promise.resolve(current);
    connecting ??= connectToSupervisor({
      settings,
      paths,
      onStarted: (pid) => logger.info(`started the supervisor (pid ${pid}; log ${paths.log})`),
    })
      .then((socket) => {
        const connection: Connection = {
          socket,
          pid: undefined,
          log: paths.log,
          runs: new Map(),
        };
        socket.on('error', () => undefined);
        socket.once('close', () => onClose(connection));
        readMessages<SupervisorMessage>(socket, (message) => onMessage(connection, message));
        socket.unref();
        current = connection;
        return connection;
      })
      .finally(() => {
        connecting = undefined;
      });
    return connecting;
  };

  const send = (connection: Connection, message: ServerMessage): void => {
    if (!sendMessage(connection.socket, message))
      throw new SaError('INTERRUPTED', 'The connection to the supervisor is closed');
    // Referenced while something is in flight, so the process waits for answers.
    connection.socket.ref();
  };

  const unrefWhenIdle = (connection: Connection): void => {
    if (connection.runs.size === 0) connection.socket.unref();
  };

  return {
    get supervisorPid() {
      return current?.pid;
    },
    async ready() {
      await ensure();
    },
    async run(prepared, runOptions) {
      const connection = await ensure();
      const id = nextId;
      nextId += 1;
      const { signal } = runOptions;
      let onAbort: (() => void) | undefined;
      const result = new Promise<BenchmarkResult>((resolve, reject) => {
        const run: PendingRun = {
          hooks: runOptions,
          resolve,
          reject,
          handedOff: false,
          settled: false,
          cleanup: () => {
            if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
            unrefWhenIdle(connection);
          },
        };
        connection.runs.set(id, run);
        onAbort = () => {
          if (run.handedOff || run.settled) return;
          const reason = signal?.reason instanceof Error ? signal.reason.message : 'Cancelled';
          sendMessage(connection.socket, { type: 'cancel', id, reason });
        };
        send(connection, {
          type: 'run',
          id,
          run: serializeRun(prepared, options.isInlineScript(prepared.script)),
          meta: runOptions.meta,
          ...(runOptions.benchmark === undefined ? {} : { benchmark: runOptions.benchmark }),
        });
        signal?.addEventListener('abort', onAbort, { once: true });
        if (signal?.aborted) onAbort();
      });
      return {
        result,
        adopt(meta) {
          const run = connection.runs.get(id);
          if (run === undefined || current !== connection)
            return Promise.reject(new SaError('NOT_FOUND', `Run ${id} already finished`));
          return new Promise<JobRecord>((resolve, reject) => {
            run.job = { resolve, reject };
            send(connection, { type: 'adopt', id, meta });
          });
        },
      };
    },
    async start(prepared, meta, hooks = {}) {
      const connection = await ensure();
      const id = nextId;
      nextId += 1;
      return new Promise<JobRecord>((resolve, reject) => {
        const run: PendingRun = {
          hooks,
          resolve: () => undefined,
          reject: () => undefined,
          job: { resolve, reject },
          // Its events (pid, chunk counts) keep coming; no inline result is expected.
          handedOff: true,
          settled: true,
          cleanup: () => unrefWhenIdle(connection),
        };
        connection.runs.set(id, run);
        send(connection, {
          type: 'start',
          id,
          run: serializeRun(prepared, options.isInlineScript(prepared.script)),
          meta,
        });
      }).finally(() => unrefWhenIdle(connection));
    },
    detach() {
      const connection = current;
      current = undefined;
      if (connection === undefined) return;
      const why = new SaError(
        'CLOSED',
        'The server is stopping; the script goes on under the supervisor and its result is kept as a job',
      );
      for (const run of connection.runs.values()) {
        run.handedOff = true;
        run.job?.reject(why);
        run.job = undefined;
        if (!run.settled) {
          run.settled = true;
          run.cleanup();
          run.reject(why);
        }
      }
      connection.runs.clear();
      connection.socket.end();
      connection.socket.destroy();
    },
  };
}
