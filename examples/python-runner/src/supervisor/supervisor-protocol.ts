import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { ProgressUpdate } from '@sa/core';
import type { JobMeta, JobRecord } from '@sa/jobs';
import type { PreparedRun } from '../python/python-runner';
import type { BenchmarkResult } from '../python/script-request';

/** A prepared run as it crosses the socket (everything but `dispose`). */
export interface SerializedRun extends Omit<PreparedRun, 'dispose' | 'python'> {
  python: Omit<PreparedRun['python'], 'stdlibModuleNames'> & { stdlibModuleNames: string[] };
  /** True when `script` is an inline script the supervisor removes once it ran. */
  inlineScript: boolean;
}

/** A serialised error: its `SaError` code (or `INTERNAL`) and message. */
export interface WireError {
  code: string;
  message: string;
}

/** What a server sends its supervisor. `id` numbers the server's runs on this connection. */
export type ServerMessage =
  /** Starts a run inline (no job yet); the supervisor makes it a job if the server goes away. */
  | {
      type: 'run';
      id: number;
      run: SerializedRun;
      meta: JobMeta;
      benchmark?: { sampleIntervalMs: number };
    }
  /** Starts a run as a job at once (async mode, tasks, legacy `_async` tools). */
  | { type: 'start'; id: number; run: SerializedRun; meta: JobMeta }
  /** Turns an inline run into a job (its budget passed or its client went away). */
  | { type: 'adopt'; id: number; meta: JobMeta }
  /** Cancels an inline run (its client cancelled the request). */
  | { type: 'cancel'; id: number; reason: string };

/** What a supervisor sends a server. */
export type SupervisorMessage =
  | { type: 'hello'; pid: number; log: string }
  | { type: 'spawned'; id: number; pid: number }
  | { type: 'progress'; id: number; update: ProgressUpdate }
  | { type: 'chunks'; id: number; stdout: number; stderr: number }
  | { type: 'done'; id: number; result: BenchmarkResult }
  | { type: 'failed'; id: number; error: WireError }
  /** Reply to `start` and `adopt`: the job that now runs the work. */
  | { type: 'job'; id: number; record: JobRecord }
  /** Reply to `run`, `start` or `adopt` that could not be honoured. */
  | { type: 'refused'; id: number; error: WireError };

/** Writes one message as a JSON line; false when the socket is gone. */
export function sendMessage(socket: Socket, message: ServerMessage | SupervisorMessage): boolean {
  if (socket.destroyed || !socket.writable) return false;
  socket.write(`${JSON.stringify(message)}\n`);
  return true;
}

/** Calls `onMessage` with every JSON line that arrives on the socket (bad lines are skipped). */
export function readMessages<T>(socket: Socket, onMessage: (message: T) => void): void {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  socket.on('data', (chunk: Buffer) => {
    pending += decoder.write(chunk);
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
      if (line.trim() === '') continue;
      let message: T;
      try {
        message = JSON.parse(line) as T;
      } catch {
        continue;
      }
      onMessage(message);
    }
  });
}

/** A prepared run, ready to send. */
export function serializeRun(prepared: PreparedRun, inlineScript: boolean): SerializedRun {
  // `dispose` is a function: JSON leaves it out.
  return {
    ...prepared,
    python: { ...prepared.python, stdlibModuleNames: [...prepared.python.stdlibModuleNames] },
    inlineScript,
  };
}

/** An error, ready to send. */
export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'INTERNAL', message: error.message };
  }
  return { code: 'INTERNAL', message: String(error) };
}
