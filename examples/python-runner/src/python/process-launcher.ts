import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SaError } from '@sa/core';
import { killProcessTree } from './kill-process-tree';
import { launcherHeaderLength, launcherScript } from './launcher-script';

/** What to start: a command without a shell, in its own process group. */
export interface LaunchRequest {
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Opens fd 3 as a third output stream. */
  channel?: boolean;
  /**
   * Lowers the child's CPU priority by this much (0 to 19, default 0): its nice value and, where
   * the kernel groups each session for scheduling (Linux autogroup), its session's group.
   */
  nice?: number;
}

/** How a launched child ended (as a `ChildProcess` `exit` event reports it). */
export interface LaunchedExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child started by the launcher: its pid (also its process group id) and its output. */
export interface LaunchedProcess {
  pid: number;
  stdout: Socket;
  stderr: Socket;
  /** fd 3 when `channel` was asked for. */
  channel: Socket | undefined;
  /** Settles when the child exits (its streams may stay open longer, held by descendants). */
  exit: Promise<LaunchedExit>;
}

/** Starts child processes without forking the server. */
export interface ProcessLauncher {
  /**
   * Starts a child; rejects with `SaError` (code `INVALID_ARGUMENT`) when it cannot start or
   * `nice` is not an integer from 0 to 19.
   */
  launch(request: LaunchRequest): Promise<LaunchedProcess>;
  /** Starts the launcher process now rather than on the first `launch` (it holds no reference while idle). */
  warmUp(): void;
  /** Stops the launcher process (children keep running) and removes its socket. */
  close(): void;
}

type LauncherMessage =
  | { type: 'spawned'; id: number; pid: number }
  | { type: 'error'; id: number; code?: string; message: string }
  | { type: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null };

interface PendingLaunch {
  request: LaunchRequest;
  streams: Map<number, Socket>;
  pid: number | undefined;
  resolve: (launched: LaunchedProcess) => void;
  reject: (error: unknown) => void;
  resolveExit: (exit: LaunchedExit) => void;
  exit: Promise<LaunchedExit>;
}

interface LauncherProcess {
  child: ChildProcess;
  server: Server;
  directory: string;
}

/** Options for `createProcessLauncher`. */
export interface ProcessLauncherOptions {
  /**
   * When this process goes away (even by `kill -9`), the launcher kills its children's process
   * groups instead of leaving them running (default false: they stay, and a later server reaps
   * them through the child registry).
   */
  endChildrenOnExit?: boolean;
}

/**
 * Creates a launcher: one small Node process, started on first use, that spawns children on
 * request. `spawn()` forks the calling process, which blocks its event loop for a time that
 * grows with its memory (tens of ms for a busy server); the launcher forks instead, and the
 * children's output comes straight to this process over Unix sockets.
 *
 * @example
 * const launcher = createProcessLauncher();
 * const child = await launcher.launch({ command: 'python3', args: ['-c', 'print(1)'], cwd, env });
 * child.stdout.pipe(process.stderr);
 * console.log(await child.exit);
 */
export function createProcessLauncher(options: ProcessLauncherOptions = {}): ProcessLauncher {
  const pending = new Map<number, PendingLaunch>();
  let nextId = 1;
  let current: LauncherProcess | undefined;

  const setReferenced = (referenced: boolean): void => {
    if (!current) return;
    const { child, server } = current;
    if (referenced) {
      child.ref();
      child.channel?.ref();
      server.ref();
    } else {
      child.unref();
      child.channel?.unref();
      server.unref();
    }
  };

  const settleIfReady = (id: number): void => {
    const entry = pending.get(id);
    if (!entry || entry.pid === undefined) return;
    const expected = entry.request.channel ? 3 : 2;
    if (entry.streams.size < expected) return;
    const stdout = entry.streams.get(1);
    const stderr = entry.streams.get(2);
    if (!stdout || !stderr) return;
    entry.resolve({
      pid: entry.pid,
      stdout,
      stderr,
      channel: entry.streams.get(3),
      exit: entry.exit,
    });
  };

  const forget = (id: number): void => {
    pending.delete(id);
    if (pending.size === 0) setReferenced(false);
  };

  const onConnection = (socket: Socket): void => {
    socket.on('error', () => undefined);
    const readHeader = (): void => {
      const header = socket.read(launcherHeaderLength) as Buffer | null;
      if (header === null) {
        socket.once('readable', readHeader);
        return;
      }
      const text = header.toString('latin1');
      const id = Number(text.slice(0, -1));
      const fd = Number(text.slice(-1));
      const entry = pending.get(id);
      if (!entry) {
        socket.destroy();
        return;
      }
      entry.streams.set(fd, socket);
      settleIfReady(id);
    };
    readHeader();
  };

  const onMessage = (message: LauncherMessage): void => {
    const entry = pending.get(message.id);
    if (!entry) return;
    if (message.type === 'spawned') {
      entry.pid = message.pid;
      settleIfReady(message.id);
    } else if (message.type === 'error') {
      for (const socket of entry.streams.values()) socket.destroy();
      forget(message.id);
      entry.reject(
        new SaError(
          'INVALID_ARGUMENT',
          `Cannot start ${entry.request.command}: ${message.message}`,
        ),
      );
    } else {
      forget(message.id);
      entry.resolveExit({ code: message.code, signal: message.signal });
    }
  };

  const onLauncherExit = (launcher: LauncherProcess): void => {
    if (current === launcher) current = undefined;
    launcher.server.close();
    rmSync(launcher.directory, { recursive: true, force: true });
    // Its children lost their supervisor: end them rather than leave them unwatched.
    for (const [id, entry] of pending) {
      pending.delete(id);
      if (entry.pid === undefined) {
        for (const socket of entry.streams.values()) socket.destroy();
        entry.reject(
          new SaError('INTERNAL', 'The process launcher exited before the child started.'),
        );
      } else {
        const pid = entry.pid;
        void killProcessTree(pid).then(() => entry.resolveExit({ code: null, signal: 'SIGKILL' }));
      }
    }
  };

  const start = (): LauncherProcess => {
    if (current) return current;
    // A private directory: only this user can connect to the socket in it.
    const directory = mkdtempSync(join(tmpdir(), 'sa-launcher-'));
    const socketPath = join(directory, 'launcher.sock');
    const server = createServer({ pauseOnConnect: false }, onConnection);
    server.listen(socketPath);
    const environment = { ...process.env };
    delete environment['NODE_OPTIONS'];
    const launcherArgs = ['-e', launcherScript, socketPath];
    if (options.endChildrenOnExit === true) launcherArgs.push('end-children');
    const child = spawn(process.execPath, launcherArgs, {
      env: environment,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'json',
    });
    const launcher: LauncherProcess = { child, server, directory };
    child.on('message', (message: LauncherMessage) => onMessage(message));
    child.once('exit', () => onLauncherExit(launcher));
    child.once('error', () => undefined);
    current = launcher;
    return launcher;
  };

  return {
    launch(request) {
      const nice = request.nice ?? 0;
      if (!Number.isInteger(nice) || nice < 0 || nice > 19) {
        return Promise.reject(
          new SaError(
            'INVALID_ARGUMENT',
            `nice must be an integer from 0 to 19, not ${String(request.nice)}`,
          ),
        );
      }
      const id = nextId;
      nextId += 1;
      return new Promise<LaunchedProcess>((resolve, reject) => {
        let resolveExit: (exit: LaunchedExit) => void = () => undefined;
        const exit = new Promise<LaunchedExit>((settle) => {
          resolveExit = settle;
        });
        pending.set(id, {
          request,
          streams: new Map(),
          pid: undefined,
          resolve,
          reject,
          resolveExit,
          exit,
        });
        const launcher = start();
        setReferenced(true);
        launcher.child.send({
          id,
          command: request.command,
          args: request.args,
          cwd: request.cwd,
          env: request.env,
          channel: request.channel === true,
          nice,
        });
      });
    },
    warmUp() {
      if (current) return;
      start();
      if (pending.size === 0) setReferenced(false);
    },
    close() {
      const launcher = current;
      if (!launcher) return;
      launcher.child.disconnect();
    },
  };
}

let shared: ProcessLauncher | undefined;

/** The launcher shared by every run of this process (it holds no reference while idle). */
export function sharedProcessLauncher(): ProcessLauncher {
  shared ??= createProcessLauncher();
  return shared;
}
