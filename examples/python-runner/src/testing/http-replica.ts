import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { eventually, packageDirectory, serverCommand } from './stdio-server';

/** A server process over Streamable HTTP, started from sources. */
export interface HttpServerProcess {
  url: URL;
  /** The server process (node itself: `kill -9` of it is a crash of the server). */
  process: ChildProcess;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  /** Stops the server with SIGTERM (nothing to do once it died). */
  stop(): Promise<void>;
}

/** Starts the server over HTTP on a free port with `args`; resolves once it listens. */
export async function startHttpServerProcess(args: readonly string[]): Promise<HttpServerProcess> {
  const { command, args: commandArgs } = serverCommand([
    '--transport',
    'http',
    '--port',
    '0',
    ...args,
  ]);
  const child = spawn(command, commandArgs, {
    cwd: packageDirectory,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await Promise.race([
    eventually(() => /listening on (http:\/\/\S+)/.exec(stderr)?.[1], 30_000),
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

/** A server process over Streamable HTTP with a connected SDK client. */
export interface HttpReplica extends HttpServerProcess {
  client: Client;
  /** Closes the client and stops the server with SIGTERM (nothing to do once it died). */
  stop(): Promise<void>;
}

/** Starts the server over HTTP on a free port and connects a client with the bearer `token`. */
export async function startHttpReplica(
  args: readonly string[],
  token: string,
): Promise<HttpReplica> {
  const server = await startHttpServerProcess(['--auth-token', token, ...args]);
  const client = new Client({ name: 'replica-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(server.url, {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return {
    ...server,
    client,
    stop: async () => {
      await client.close().catch(() => undefined);
      await server.stop();
    },
  };
}

/** True when something accepts TCP connections at `host:port` within a second. */
function isReachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    const finish = (reachable: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reachable);
    };
    const timer = setTimeout(() => finish(false), 1000);
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * Whether tests needing a server should run: yes when it is reachable, and always in CI
 * (`CI=true`), where a missing server must fail the tests; elsewhere it warns and skips.
 */
export async function shouldRunServiceTests(
  service: string,
  host: string,
  port: number,
): Promise<boolean> {
  if (await isReachable(host, port)) return true;
  if (process.env.CI === 'true') return true;
  console.warn(
    `\n!!! ${service} is not reachable at ${host}:${String(port)}: SKIPPING its tests (they fail in CI).\n`,
  );
  return false;
}
