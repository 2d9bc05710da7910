import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { ProgressUpdate, Timers } from '@sa/core';
import { CancelledError, SaError } from '@sa/core';
import { killProcessTree, signalGroup } from './kill-process-tree';
import { createOutputLimit } from './output-limit';
import { createProgressLineReader } from './progress-line';

/** An output stream of a child process. */
export type StreamName = 'stdout' | 'stderr';

/** Receives output as it arrives (already bounded). */
export type OutputSink = (stream: StreamName, chunk: string) => void;

/** Options for `runProcess`. */
export interface RunProcessOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Kill the tree after this long (0 or undefined: no limit); partial output is kept. */
  timeoutMs?: number;
  /** Kills the tree when aborted; the outcome then says `cancelled`. */
  signal?: AbortSignal;
  /** Per stream; what is beyond is dropped with a notice (default unlimited). */
  maxOutputBytes?: number;
  /** Receives stdout and stderr continuously. */
  onOutput?: OutputSink;
  /** Receives `::progress` lines from either stream. */
  onProgress?: (update: ProgressUpdate) => void;
  /** Called once the child has a pid. */
  onSpawn?: (pid: number) => void;
  /** Opens fd 3 as an extra pipe whose text is returned as `channel` (for helpers). */
  channel?: boolean;
  /** Injectable timers. */
  timers?: Timers;
}

/** How a child process ended. */
export interface ProcessOutcome {
  /** Always an integer: the exit status, or minus the signal number when killed by one. */
  exitCode: number;
  pid: number;
  timedOut: boolean;
  cancelled: boolean;
  droppedBytes: Record<StreamName, number>;
  /** What the child wrote to fd 3 when `channel` was set. */
  channel: string;
}

const defaultTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How long streams may stay open after the child exits (held by an escaped descendant). */
const closeGraceMs = 200;

/**
 * Runs a command without a shell in its own process group, draining both streams
 * continuously; cancel and timeout kill the whole process tree.
 *
 * @example
 * const outcome = await runProcess({ command: 'python3', args: ['-c', 'print(1)'], cwd, env,
 *   onOutput: (stream, chunk) => process.stderr.write(chunk) });
 */
export async function runProcess(options: RunProcessOptions): Promise<ProcessOutcome> {
  const { signal } = options;
  if (signal?.aborted) throw abortReason(signal);
  await spawnTurn();
  if (signal?.aborted) throw abortReason(signal);
  const timers = options.timers ?? defaultTimers;
  const maxOutputBytes = options.maxOutputBytes ?? Number.POSITIVE_INFINITY;
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    shell: false,
    stdio: options.channel ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  });

  return new Promise<ProcessOutcome>((resolve, reject) => {
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    let killing: Promise<void> | undefined;
    let channel = '';
    let timeoutHandle: unknown;
    let graceHandle: unknown;
    const pid = child.pid;
    const progressReader = options.onProgress
      ? createProgressLineReader(options.onProgress)
      : undefined;
    const limits = {
      stdout: createOutputLimit(maxOutputBytes),
      stderr: createOutputLimit(maxOutputBytes),
    };

    const kill = (): Promise<void> => {
      if (pid === undefined) return Promise.resolve();
      killing ??= killProcessTree(pid);
      return killing;
    };
    const onAbort = (): void => {
      cancelled = true;
      void kill();
    };

    const drain = (stream: StreamName, readable: Readable | null): void => {
      if (!readable) return;
      const outputDecoder = new StringDecoder('utf8');
      const progressDecoder = new StringDecoder('utf8');
      readable.on('data', (chunk: Buffer) => {
        if (progressReader) progressReader(progressDecoder.write(chunk));
        const kept = limits[stream].accept(chunk);
        if (kept.length > 0) {
          const text = outputDecoder.write(kept);
          if (text) options.onOutput?.(stream, text);
        }
      });
      readable.on('end', () => {
        const rest = outputDecoder.end();
        if (rest) options.onOutput?.(stream, rest);
        if (progressReader) progressReader(progressDecoder.end() + '\n');
      });
    };
    drain('stdout', child.stdout);
    drain('stderr', child.stderr);
    const channelStream = child.stdio[3] as Readable | null | undefined;
    if (channelStream) {
      channelStream.setEncoding('utf8');
      channelStream.on('data', (text: string) => {
        channel += text;
      });
    }

    const finish = (code: number | null, exitSignal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timeoutHandle);
      timers.clearTimeout(graceHandle);
      signal?.removeEventListener('abort', onAbort);
      const complete = (): void => {
        for (const stream of ['stdout', 'stderr'] as const) {
          const notice = limits[stream].notice(stream);
          if (notice) options.onOutput?.(stream, notice);
        }
        if (timedOut) {
          const seconds = (options.timeoutMs ?? 0) / 1000;
          options.onOutput?.('stderr', `\n[TIMEOUT] The script was killed after ${seconds} s.\n`);
        }
        resolve({
          exitCode: toExitCode(code, exitSignal),
          pid: pid ?? -1,
          timedOut,
          cancelled: cancelled && !timedOut,
          droppedBytes: { stdout: limits.stdout.droppedBytes, stderr: limits.stderr.droppedBytes },
          channel,
        });
      };
      if (killing) killing.then(complete, complete);
      else complete();
    };

    child.once('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timeoutHandle);
      signal?.removeEventListener('abort', onAbort);
      reject(
        new SaError('INVALID_ARGUMENT', `Cannot start ${options.command}: ${error.message}`, {
          cause: error,
        }),
      );
    });
    child.once('exit', (code, exitSignal) => {
      // End what the script left behind in its group, so nothing holds the pipes open.
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
      graceHandle = timers.setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        channelStream?.destroy();
        finish(code, exitSignal);
      }, closeGraceMs);
    });
    child.once('close', (code, exitSignal) => finish(code, exitSignal));

    if (pid !== undefined) options.onSpawn?.(pid);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs && options.timeoutMs > 0) {
      timeoutHandle = timers.setTimeout(() => {
        timedOut = true;
        void kill();
      }, options.timeoutMs);
    }
  });
}

// spawn() forks the Node process synchronously (tens of ms with a large heap): many at once
// would block the event loop for seconds, so each spawn gets an event-loop turn of its own.
let spawnQueue: Promise<void> = Promise.resolve();

function spawnTurn(): Promise<void> {
  const turn = spawnQueue.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  spawnQueue = turn;
  return turn;
}

function toExitCode(code: number | null, exitSignal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (exitSignal !== null) return -(constants.signals[exitSignal] ?? 1);
  return -1;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new CancelledError();
}
