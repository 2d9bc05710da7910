import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The package folder: the server runs from its sources there with tsx, no build needed. */
export const packageDirectory = fileURLToPath(new URL('../..', import.meta.url));

/** The command that runs the server from sources. */
export function serverCommand(args: readonly string[]): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: ['--conditions=@sa/source', '--import', 'tsx', 'src/cli.ts', ...args],
  };
}

/** A server process over stdio with a connected SDK client. */
export interface StdioServer {
  client: Client;
  /** The server process id. */
  pid: number;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/** Starts the server from sources over stdio and connects the real SDK client. */
export async function startStdioServer(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<StdioServer> {
  const { command, args: commandArgs } = serverCommand(args);
  const transport = new StdioClientTransport({
    command,
    args: commandArgs,
    cwd: packageDirectory,
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'sa-python-runner-test', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    pid: transport.pid ?? -1,
    stderr: () => stderr,
    close: () => client.close(),
  };
}

/** Calls a tool and returns its result with the JSON of its first text content parsed. */
export async function callJson<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
  options: Parameters<Client['callTool']>[2] = {},
): Promise<{ result: CallToolResult; json: T; text: string }> {
  const result = (await client.callTool(
    { name, arguments: args },
    undefined,
    options,
  )) as CallToolResult;
  const first = result.content[0];
  const text = first?.type === 'text' ? first.text : '';
  let json: T;
  try {
    json = JSON.parse(text) as T;
  } catch {
    json = undefined as T;
  }
  return { result, json, text };
}

/** Polls `check` until it returns a value, or throws after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Calls a smart (`_v2`) tool and returns the work's result whether it answered inline or was
 * promoted past its budget (then the job is followed with `py_job_status` to its end). Which
 * of the two happens depends on how fast the machine starts python, so a test of the result
 * must accept both.
 */
export async function callForResult<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ json: T; promoted: boolean }> {
  const first = await callJson<T & { smart_async?: boolean; job_id?: string }>(client, name, args);
  const jobId = first.json?.job_id;
  if (first.json?.smart_async !== true || typeof jobId !== 'string')
    return { json: first.json, promoted: false };
  for (;;) {
    const { json, text } = await callJson<{ job?: { status: string; result?: T } }>(
      client,
      'py_job_status',
      { job_id: jobId, wait_seconds: 5 },
      { timeout: 60_000 },
    );
    if (json?.job === undefined) throw new Error(`py_job_status failed: ${text}`);
    if (json.job.status === 'completed' && json.job.result !== undefined)
      return { json: json.job.result, promoted: true };
    if (json.job.status !== 'running' && json.job.status !== 'pending')
      throw new Error(`job ${jobId} ended ${json.job.status}: ${text}`);
  }
}
