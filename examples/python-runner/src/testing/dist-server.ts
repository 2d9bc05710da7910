import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { eventually, packageDirectory } from './stdio-server';

/** The built command-line entry, `dist/cli.js` (what `npx @sa/python-runner` runs). */
export const distCli = join(packageDirectory, 'dist', 'cli.js');

/**
 * Builds this package and the workspace packages it needs (turbo; cached when nothing changed),
 * so tests drive the built `dist/cli.js` and its built dependencies, not the sources.
 */
export function buildDist(): void {
  execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@sa/python-runner...'], {
    cwd: join(packageDirectory, '..', '..'),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** A built server process over Streamable HTTP. */
export interface DistHttpServer {
  url: URL;
  process: ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `node dist/cli.js --transport http --port 0 ...args`; resolves once it listens. */
export async function startDistHttpServer(args: readonly string[]): Promise<DistHttpServer> {
  const child = spawn(process.execPath, [distCli, '--transport', 'http', '--port', '0', ...args], {
    cwd: packageDirectory,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await Promise.race([
    eventually(() => /listening on (http:\/\/\S+)/.exec(stderr)?.[1], 60_000),
    exited.then(() => {
      throw new Error(`the server exited before listening: ${stderr}`);
    }),
  ]);
  return {
    url: new URL(url),
    process: child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** One JSON-RPC answer. */
export type RawAnswer =
  | { kind: 'result'; result: Record<string, unknown> }
  | { kind: 'error'; error: { code: number; message: string; data?: unknown } };

/** POSTs one JSON-RPC request and reads its answer (a JSON body or an SSE stream). */
export async function postJsonRpc(
  url: URL,
  message: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(message),
  });
  const text = await response.text();
  const messages =
    response.headers.get('content-type')?.includes('text/event-stream') === true
      ? text
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => JSON.parse(line.slice(5)) as Record<string, unknown>)
      : [JSON.parse(text) as Record<string, unknown>];
  const answer = messages.find((candidate) => candidate['id'] === message['id']);
  if (answer === undefined)
    throw new Error(`No answer in HTTP ${response.status}: ${text.slice(0, 500)}`);
  return 'error' in answer
    ? { kind: 'error', error: answer['error'] as { code: number; message: string } }
    : { kind: 'result', result: answer['result'] as Record<string, unknown> };
}

let nextId = 1;

/**
 * Sends one 2026-07-28 request over HTTP as a host does: the `_meta` envelope (with the Tasks
 * extension in the client capabilities unless `extension` is false) and the `Mcp-Method` /
 * `Mcp-Name` headers.
 */
export function request2026(
  url: URL,
  method: string,
  params: Record<string, unknown>,
  options: { extension?: boolean; name?: string; headers?: Record<string, string> } = {},
): Promise<RawAnswer> {
  return postJsonRpc(
    url,
    {
      jsonrpc: '2.0',
      id: `raw-${nextId++}`,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'raw-fetch', version: '1.0.0' },
          'io.modelcontextprotocol/clientCapabilities':
            options.extension === false
              ? {}
              : { extensions: { 'io.modelcontextprotocol/tasks': {} } },
        },
      },
    },
    {
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...(options.name === undefined ? {} : { 'mcp-name': options.name }),
      ...options.headers,
    },
  );
}
