import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { rm } from 'node:fs/promises';
import { startInBackground } from '@sa/core';
import type { BackgroundTask } from '@sa/core';
import type { JobManager, JobMeta, JobRecord, JsonValue } from '@sa/jobs';
import { createJobManager } from '@sa/jobs';
import { resolveConfig } from '../config';
import { createConfiguredJobStore } from '../job-store-factory';
import type { Logger } from '../logger';
import { createChildRegistry } from '../python/child-registry';
import { findHelperDirectory } from '../python/helper-directory';
import { createProcessLauncher } from '../python/process-launcher';
import type { PreparedRun } from '../python/python-runner';
import { createPythonRunner } from '../python/python-runner';
import type { BenchmarkResult } from '../python/script-request';
import { RunOutput } from './run-output';
import type { SupervisorLock } from './supervisor-lock';
import type { SupervisorPaths } from './supervisor-paths';
import { privateSocketDirectory } from './supervisor-paths';
import type { SerializedRun, ServerMessage, SupervisorMessage } from './supervisor-protocol';
import { readMessages, sendMessage, toWireError } from './supervisor-protocol';
import type { SupervisorSettings } from './supervisor-settings';

/** Options for `runSupervisor`. */
export interface RunSupervisorOptions {
  settings: SupervisorSettings;
  paths: SupervisorPaths;
  /** The lock this process holds (see `acquireSupervisorLock`). */
  lock: Extract<SupervisorLock, { acquired: true }>;
  logger: Logger;
}

/** A running supervisor. */
export interface Supervisor {
  /** Stops: no new connections; running scripts killed and their jobs recorded `interrupted` with `reason`. */
  stop(reason: string): Promise<void>;
  /** Settles once the supervisor stopped (idle, lock lost, or `stop`). */
  readonly stopped: Promise<void>;
}

/** One run of a connected server, inline until it becomes a job. */
interface RunEntry {
  id: number;
  connection: Connection | undefined;
  meta: JobMeta;
  task: BackgroundTask<BenchmarkResult> | undefined;
  output: RunOutput;
  /** The job the run became (by `adopt`, `start`, or its server going away). */
  job: Promise<JobRecord> | undefined;
}

interface Connection {
  socket: Socket;
  runs: Map<number, RunEntry>;
}

/** How often the supervisor checks whether it is idle and still holds its lock. */
const checkIntervalMs = 1000;

/**
 * Runs the supervisor of one job store: it accepts servers on a Unix socket, runs their scripts
 * (inline while the server waits, then as jobs it owns with a lease and heartbeats, as a replica
 * does), writes their output, progress and results, obeys cancels from the store, and keeps them
 * running when the server that started them goes away. It exits after `supervisorIdleSeconds`
 * with no job and no server, or when its lock file disappears.
 *
 * @example
 * const supervisor = await runSupervisor({ settings, paths, lock, logger });
 * await supervisor.stopped;
 */
export async function runSupervisor(options: RunSupervisorOptions): Promise<Supervisor> {
  const { settings, paths, lock, logger } = options;
  const config = resolveConfig({ ...settings, roots: [settings.dataDirectory] });
  const store = await createConfiguredJobStore(config, logger);
  const jobs: JobManager = createJobManager({
    store,
    concurrency: config.maxConcurrentJobs,
    leaseMs: Math.round(config.leaseSeconds * 1000),
    heartbeatMs: Math.round(config.heartbeatSeconds * 1000),
    logger: { warn: (message) => logger.warn(message) },
  });
  const childRegistry = createChildRegistry(join(config.dataDirectory, 'children'));
  const orphans = await childRegistry.reapOrphans();
  if (orphans.length > 0)
    logger.warn(`ended ${orphans.length} script process tree(s) left by a process that died`);
  // If this process dies (even by kill -9), the launcher kills the scripts' process groups.
  const launcher = createProcessLauncher({ endChildrenOnExit: true });
  // The launcher and the interpreter are started once before servers connect (servers wait for
  // that outside their budgets), so the first script does not pay for them.
  launcher.warmUp();
  await launcher
    .launch({
      command: config.python,
      args: ['-c', ''],
      cwd: config.dataDirectory,
      env: process.env,
      nice: config.scriptNice,
    })
    .then(async (child) => {
      await child.exit;
      child.stdout.destroy();
      child.stderr.destroy();
    })
    .catch(() => undefined);
  const runner = createPythonRunner({
    childRegistry,
    python: config.python,
    roots: [config.dataDirectory],
    dataDirectory: config.dataDirectory,
    maxOutputBytes: config.maxOutputBytes,
    scriptNice: config.scriptNice,
    helperDirectory: findHelperDirectory(),
    launcher,
  });

  const connections = new Set<Connection>();
  let liveWork = 0;
  /** Jobs this supervisor started or adopted and has not yet seen finished. */
  const ownJobs = new Set<string>();
  let idleSince = Date.now();
  let stopping: Promise<void> | undefined;
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });

  const send = (entry: RunEntry, message: SupervisorMessage): void => {
    if (entry.connection !== undefined) sendMessage(entry.connection.socket, message);
  };

  /** The run's work: the script, its output to the run's sink, its progress to the server and the job. */
  const workOf =
    (entry: RunEntry, prepared: PreparedRun, benchmark?: { sampleIntervalMs: number }) =>
    async ({
      signal,
      reportProgress,
    }: {
      signal: AbortSignal;
      reportProgress: (update: { progress: number; total?: number; message?: string }) => void;
    }): Promise<BenchmarkResult> => {
      liveWork += 1;
      try {
        return await runner.execute(prepared, {
          signal,
          ...(benchmark === undefined ? {} : { benchmark }),
          onOutput: entry.output.sink,
          onProgress: (update) => {
            reportProgress(update);
            send(entry, { type: 'progress', id: entry.id, update });
          },
          onSpawn: (pid) => send(entry, { type: 'spawned', id: entry.id, pid }),
        });
      } finally {
        entry.output.flush();
        // A run that is becoming a job: its output reaches the log before the job settles.
        const record = await entry.job?.catch(() => undefined);
        if (record !== undefined) await jobs.flushOutput(record.id).catch(() => undefined);
        liveWork -= 1;
        idleSince = Date.now();
      }
    };

  const toJob = (entry: RunEntry, meta: JobMeta, why: string): Promise<JobRecord> => {
    const task = entry.task;
    if (task === undefined) return Promise.reject(new Error('The run has no work to adopt'));
    entry.job ??= jobs.adopt(task, meta).then((record) => {
      entry.output.attach(record.id);
      ownJobs.add(record.id);
      logger.info(`run ${entry.id} became job ${record.id} (${why})`);
      return record;
    });
    return entry.job;
  };

  const onRun = (
    connection: Connection,
    message: Extract<ServerMessage, { type: 'run' }>,
  ): void => {
    const prepared = deserializeRun(message.run);
    const entry: RunEntry = {
      id: message.id,
      connection,
      meta: message.meta,
      task: undefined,
      output: new RunOutput(jobs, () => sendChunks(entry)),
      job: undefined,
    };
    connection.runs.set(message.id, entry);
    const task = startInBackground(workOf(entry, prepared, message.benchmark));
    entry.task = task;
    void task.result.then(
      (result) => {
        if (entry.job === undefined) send(entry, { type: 'done', id: entry.id, result });
        entry.connection?.runs.delete(entry.id);
      },
      (error: unknown) => {
        if (entry.job === undefined)
          send(entry, { type: 'failed', id: entry.id, error: toWireError(error) });
        entry.connection?.runs.delete(entry.id);
      },
    );
  };

  const sendChunks = (entry: RunEntry): void => {
    const { stdout, stderr } = entry.output.chunks;
    send(entry, { type: 'chunks', id: entry.id, stdout, stderr });
  };

  const onStart = async (
    connection: Connection,
    message: Extract<ServerMessage, { type: 'start' }>,
  ): Promise<void> => {
    const prepared = deserializeRun(message.run);
    let resolveJob: (record: JobRecord) => void = () => undefined;
    const entry: RunEntry = {
      id: message.id,
      connection,
      meta: message.meta,
      task: undefined,
      output: new RunOutput(jobs, () => sendChunks(entry)),
      job: new Promise<JobRecord>((resolve) => {
        resolveJob = resolve;
      }),
    };
    try {
      const work = workOf(entry, prepared);
      const record = await jobs.start(
        async (context) => (await work(context)) as unknown as JsonValue,
        message.meta,
      );
      ownJobs.add(record.id);
      entry.output.attach(record.id);
      resolveJob(record);
      sendMessage(connection.socket, { type: 'job', id: message.id, record });
    } catch (error) {
      await prepared.dispose();
      sendMessage(connection.socket, {
        type: 'refused',
        id: message.id,
        error: toWireError(error),
      });
    }
  };

  const onAdopt = async (
    connection: Connection,
    message: Extract<ServerMessage, { type: 'adopt' }>,
  ): Promise<void> => {
    const entry = connection.runs.get(message.id);
    if (entry === undefined) {
      sendMessage(connection.socket, {
        type: 'refused',
        id: message.id,
        error: { code: 'NOT_FOUND', message: `Run ${message.id} already finished` },
      });
      return;
    }
    try {
      const record = await toJob(entry, message.meta, 'its budget passed');
      sendMessage(connection.socket, { type: 'job', id: message.id, record });
    } catch (error) {
      sendMessage(connection.socket, {
        type: 'refused',
        id: message.id,
        error: toWireError(error),
      });
    }
  };

  const onMessage = (connection: Connection, message: ServerMessage): void => {
    if (stopping !== undefined) {
      if (message.type === 'run' || message.type === 'start' || message.type === 'adopt')
        sendMessage(connection.socket, {
          type: 'refused',
          id: message.id,
          error: { code: 'CLOSED', message: 'The supervisor is stopping' },
        });
      return;
    }
    switch (message.type) {
      case 'run':
        onRun(connection, message);
        break;
      case 'start':
        void onStart(connection, message);
        break;
      case 'adopt':
        void onAdopt(connection, message);
        break;
      case 'cancel': {
        const entry = connection.runs.get(message.id);
        if (entry !== undefined && entry.job === undefined) entry.task?.cancel(message.reason);
        break;
      }
    }
  };

  /** The server went away: its inline runs become jobs, so their results are kept. */
  const onDisconnect = (connection: Connection): void => {
    connections.delete(connection);
    idleSince = Date.now();
    for (const entry of connection.runs.values()) {
      entry.connection = undefined;
      if (entry.job !== undefined || entry.task === undefined || entry.task.status !== 'running')
        continue;
      if (stopping !== undefined) continue;
      toJob(entry, entry.meta, 'its server went away').catch((error: unknown) => {
        logger.warn(
          `could not keep run ${entry.id} as a job: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }
    connection.runs.clear();
  };

  prepareSocketDirectory(paths.socket);
  rmSync(paths.socket, { force: true });
  const server = createServer((socket) => {
    const connection: Connection = { socket, runs: new Map() };
    connections.add(connection);
    socket.on('error', () => undefined);
    socket.once('close', () => onDisconnect(connection));
    readMessages<ServerMessage>(socket, (message) => onMessage(connection, message));
    sendMessage(socket, { type: 'hello', pid: process.pid, log: paths.log });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(paths.socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(paths.socket, 0o600);

  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(checker);
      logger.info(`stopping: ${reason}`);
      server.close();
      await rm(paths.socket, { force: true });
      await jobs.close({ graceMs: 0, interruptReason: `The job was interrupted: ${reason}` });
      for (const connection of connections) connection.socket.destroy();
      launcher.close();
      await store.close().catch(() => undefined);
      lock.release();
      logger.info('stopped');
      resolveStopped();
    })();
    return stopping;
  };

  const idleMs = config.supervisorIdleSeconds * 1000;
  const checker = setInterval(() => {
    if (!lock.stillHeld()) {
      void stop('its lock file was removed (the data directory was deleted or moved)');
      return;
    }
    if (connections.size > 0 || liveWork > 0) {
      idleSince = Date.now();
      return;
    }
    void (async () => {
      for (const id of ownJobs) {
        const record = await jobs.get(id).catch(() => undefined);
        if (
          record === undefined ||
          ['completed', 'failed', 'cancelled', 'interrupted'].includes(record.status)
        )
          ownJobs.delete(id);
      }
      if (ownJobs.size > 0) idleSince = Date.now();
      else if (Date.now() - idleSince >= idleMs && connections.size === 0 && liveWork === 0)
        await stop(`idle for ${config.supervisorIdleSeconds} s (no job, no server)`);
    })();
  }, checkIntervalMs);

  logger.info(
    `supervising the ${config.store} store of ${config.dataDirectory} on ${paths.socket} (pid ${process.pid})`,
  );
  return { stop, stopped };
}

/** Rebuilds a prepared run; an inline script is moved to a name of this process first. */
function deserializeRun(run: SerializedRun): PreparedRun {
  const { inlineScript, python, ...rest } = run;
  return {
    ...rest,
    python: { ...python, stdlibModuleNames: new Set(python.stdlibModuleNames) },
    dispose: async () => {
      if (inlineScript) await rm(run.script, { force: true });
    },
  };
}

/** The socket's folder exists; in the shared temporary directory it must be ours and private. */
function prepareSocketDirectory(socket: string): void {
  const directory = dirname(socket);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  if (directory === privateSocketDirectory()) {
    const stat = lstatSync(directory);
    const uid = process.getuid?.();
    if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid))
      throw new Error(
        `${directory} is not a directory of this user: cannot put the supervisor socket there`,
      );
    chmodSync(directory, 0o700);
  }
}
