import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { defaultTimers, type ProgressUpdate, type Timers } from '@sa/core';
import { CancelledError } from '@sa/core';
import { killProcessTree, signalGroup } from './kill-process-tree';
import { createOutputLimit } from './output-limit';
import type { LaunchedExit, LaunchedProcess, ProcessLauncher } from './process-launcher';
import { sharedProcessLauncher } from './process-launcher';
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
  /** Lowers the child's CPU priority by this much, 0 to 19 (see `LaunchRequest.nice`). */
  nice?: number;
  /** Injectable timers. */
  timers?: Timers;
  /** Starts the child (default: the shared launcher process, so this process never forks). */
  launcher?: ProcessLauncher;
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
  const timers = options.timers ?? defaultTimers;
  const maxOutputBytes = options.maxOutputBytes ?? Number.POSITIVE_INFINITY;
  const launcher = options.launcher ?? sharedProcessLauncher();
  const child: LaunchedProcess = await launcher.launch({
    command: options.command,
    args: options.args,
    cwd: options.cwd,
    env: options.env,
    channel: options.channel === true,
    nice: options.nice,
  });

  return new Promise<ProcessOutcome>((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    let killing: Promise<unknown> | undefined;
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

    const kill = (): Promise<unknown> => {
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
    const channelStream = child.channel;
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
          pid,
          timedOut,
          cancelled: cancelled && !timedOut,
          droppedBytes: { stdout: limits.stdout.droppedBytes, stderr: limits.stderr.droppedBytes },
          channel,
        });
      };
      if (killing) killing.then(complete, complete);
      else complete();
    };

    // The child has ended once it exited and its streams closed (or the grace after exit passed).
    let exited: LaunchedExit | undefined;
    let openStreams = channelStream ? 3 : 2;
    const onStreamClose = (): void => {
      openStreams -= 1;
      if (openStreams === 0 && exited) finish(exited.code, exited.signal);
    };
    child.stdout.once('close', onStreamClose);
    child.stderr.once('close', onStreamClose);
    channelStream?.once('close', onStreamClose);
    void child.exit.then((exit) => {
      exited = exit;
      // End what the script left behind in its group, so nothing holds the streams open.
      signalGroup(pid, 'SIGKILL');
      if (openStreams === 0) {
        finish(exit.code, exit.signal);
        return;
      }
      graceHandle = timers.setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        channelStream?.destroy();
        finish(exit.code, exit.signal);
      }, closeGraceMs);
    });

    options.onSpawn?.(pid);
    signal?.addEventListener('abort', onAbort, { once: true });
    // Aborted while the launcher started it: it is killed at once and reported cancelled.
    if (signal?.aborted) onAbort();
    if (options.timeoutMs && options.timeoutMs > 0) {
      timeoutHandle = timers.setTimeout(() => {
        timedOut = true;
        void kill();
      }, options.timeoutMs);
    }
  });
}

function toExitCode(code: number | null, exitSignal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (exitSignal !== null) return -(constants.signals[exitSignal] ?? 1);
  return -1;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new CancelledError();
}
