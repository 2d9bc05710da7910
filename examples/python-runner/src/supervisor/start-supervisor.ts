import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SaError } from '@sa/core';
import type { SupervisorPaths } from './supervisor-paths';
import type { SupervisorSettings } from './supervisor-settings';
import {
  supervisorAlreadyRunningExitCode,
  supervisorSettingsVariable,
} from './supervisor-settings';

/** Options for `connectToSupervisor`. */
export interface ConnectToSupervisorOptions {
  settings: SupervisorSettings;
  paths: SupervisorPaths;
  /** Give up after this long (default 60 s: a loaded machine may start Node slowly). */
  timeoutMs?: number;
  /** Told when this call started a supervisor process. */
  onStarted?: (pid: number) => void;
}

/** How often a starting server looks for the supervisor's socket. */
const pollMs = 25;

/** The supervisor's entry file (from sources with tsx, or the built `dist/supervisor-entry.js`). */
function supervisorEntry(): { file: string; execArgv: string[]; cwd: string | undefined } {
  const built = fileURLToPath(new URL('./supervisor-entry.js', import.meta.url));
  if (existsSync(built)) return { file: built, execArgv: [], cwd: undefined };
  const source = fileURLToPath(new URL('./supervisor-entry.ts', import.meta.url));
  return {
    file: source,
    execArgv: ['--conditions=@sa/source', '--import', 'tsx'],
    // tsx is resolved from the package folder.
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  };
}

function tryConnect(path: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(undefined);
    });
  });
}

function lockOwnerAlive(lock: string): boolean {
  let text: string;
  try {
    text = readFileSync(lock, 'utf8');
  } catch {
    return false;
  }
  const pid = Number(text.trim().split(' ')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return true; // being written
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Connects to the supervisor of the settings' store, starting it first when none runs: a Node
 * process detached from this one (its own session and process group, output to its log file),
 * so it outlives this server. Two servers starting at once start at most one supervisor (the
 * second one finds the lock taken and exits); both connect to the winner.
 *
 * @example
 * const socket = await connectToSupervisor({ settings, paths: supervisorPaths(settings) });
 */
export async function connectToSupervisor(options: ConnectToSupervisorOptions): Promise<Socket> {
  const { paths } = options;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let starting: { exited: boolean; code: number | null } | undefined;
  for (;;) {
    const socket = await tryConnect(paths.socket);
    if (socket !== undefined) return socket;
    if (starting === undefined) {
      // A supervisor that holds the lock is starting (or stopping): wait for it, else start one.
      if (!lockOwnerAlive(paths.lock)) starting = start(options);
    } else if (starting.exited) {
      if (starting.code !== supervisorAlreadyRunningExitCode)
        throw new SaError(
          'INTERNAL',
          `The supervisor process could not start (exit code ${String(starting.code)}); see ${paths.log}`,
        );
      // Another one won the lock: wait for its socket, or start again if it is gone.
      if (!lockOwnerAlive(paths.lock)) starting = start(options);
    }
    if (Date.now() > deadline)
      throw new SaError(
        'INTERNAL',
        `The supervisor did not open ${paths.socket} in time; see ${paths.log}`,
      );
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function start(options: ConnectToSupervisorOptions): { exited: boolean; code: number | null } {
  const { settings, paths } = options;
  mkdirSync(paths.directory, { recursive: true, mode: 0o700 });
  const log = openSync(paths.log, 'a', 0o600);
  const entry = supervisorEntry();
  const environment: NodeJS.ProcessEnv = {
    ...process.env,
    [supervisorSettingsVariable]: JSON.stringify(settings),
  };
  delete environment['NODE_OPTIONS'];
  const state = { exited: false, code: null as number | null };
  try {
    const child = spawn(
      process.execPath,
      [...entry.execArgv, entry.file, '--data-dir', settings.dataDirectory],
      {
        cwd: entry.cwd ?? settings.dataDirectory,
        env: environment,
        // Its own session and process group: closing this server's terminal, stdin or group
        // (SIGTERM, SIGKILL to the host's process group) leaves it running.
        detached: true,
        stdio: ['ignore', log, log],
      },
    );
    child.once('error', () => {
      state.exited = true;
    });
    child.once('exit', (code) => {
      state.exited = true;
      state.code = code;
    });
    child.unref();
    if (child.pid !== undefined) options.onStarted?.(child.pid);
  } finally {
    closeSync(log);
  }
  return state;
}
