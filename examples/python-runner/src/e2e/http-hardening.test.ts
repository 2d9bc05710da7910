import { spawn } from 'node:child_process';
import { mkdtemp, realpath } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { HttpServerProcess } from '../testing/http-replica';
import { startHttpServerProcess } from '../testing/http-replica';
import { callJson, eventually, packageDirectory, serverCommand } from '../testing/stdio-server';

const initializeBody = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'raw', version: '1' },
  },
});

/** Sends one HTTP request; resolves with the response once its headers arrived. */
function send(
  url: URL,
  options: { method: string; headers?: Record<string, string>; body?: string },
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: options.method,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...options.headers,
        },
      },
      resolve,
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

async function readBody(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += (chunk as Buffer).toString('utf8');
  return text;
}

/** A raw `initialize`: the session id, or the refusal. */
async function initialize(url: URL): Promise<{ status: number; sessionId?: string; body: string }> {
  const response = await send(url, { method: 'POST', body: initializeBody });
  const body = await readBody(response);
  const sessionId = response.headers['mcp-session-id'];
  return {
    status: response.statusCode ?? 0,
    body,
    sessionId: typeof sessionId === 'string' ? sessionId : undefined,
  };
}

/** Runs the server's command line to its exit; resolves with its exit code and stderr. */
function runToExit(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const { command, args: commandArgs } = serverCommand(args);
  const child = spawn(command, commandArgs, {
    cwd: packageDirectory,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('HTTP hardening (issue 15)', { timeout: 60_000 }, () => {
  let dataDirectory: string;
  const servers: HttpServerProcess[] = [];
  const start = async (args: string[]): Promise<HttpServerProcess> => {
    const server = await startHttpServerProcess([
      '--store',
      'memory',
      '--data-dir',
      dataDirectory,
      ...args,
    ]);
    servers.push(server);
    return server;
  };
  beforeAll(async () => {
    dataDirectory = join(await realpath(await mkdtemp(join(tmpdir(), 'sa-http-hard-'))), 'data');
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  describe('1. a non-loopback address needs a token', () => {
    // Only an address of no interface here (TEST-NET-1): a regression must never listen on the
    // network. The wildcard addresses are checked without a process (command-line.test.ts).
    it.each([['192.0.2.1']])(
      'refuses --host %s without --auth-token, before listening',
      async (host) => {
        const { code, stderr } = await runToExit([
          '--transport',
          'http',
          '--host',
          host,
          '--port',
          '0',
          '--store',
          'memory',
          '--data-dir',
          dataDirectory,
        ]);
        expect(code).toBe(2);
        expect(stderr).toContain('--auth-token');
        expect(stderr).toContain('--allow-remote-without-token');
        expect(stderr).not.toContain('listening on');
      },
    );

    it('refuses a forged Host: 0.0.0.0 header', async () => {
      const server = await start([]);
      const response = await send(server.url, {
        method: 'POST',
        body: initializeBody,
        headers: { host: `0.0.0.0:${server.url.port}` },
      });
      expect(response.statusCode).toBe(403);
      expect(await readBody(response)).toContain('DNS rebinding');
    });
  });

  describe('2. sessions and connections are bounded', () => {
    it('evicts the oldest idle session when full; a client in use keeps working', async () => {
      const server = await start(['--max-sessions', '3']);
      const client = new Client({ name: 'busy', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(server.url));
      const ids: string[] = [];
      for (let index = 0; index < 10; index += 1) {
        const answer = await initialize(server.url);
        expect(answer.status).toBe(200);
        ids.push(answer.sessionId ?? '');
        // A client in use is never the oldest idle session.
        expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      }
      // The first abandoned sessions were closed to make room: their ids are unknown now.
      const stale = await send(server.url, {
        method: 'POST',
        headers: { 'mcp-session-id': ids[0] ?? '' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      expect(stale.statusCode).toBe(404);
      expect(server.stderr()).toContain('to make room (--max-sessions 3)');
      await client.close();
    });

    it('refuses a new session with 503 and a clear message when every session is busy', async () => {
      const server = await start(['--max-sessions', '2']);
      const streams: IncomingMessage[] = [];
      for (let index = 0; index < 2; index += 1) {
        const { sessionId } = await initialize(server.url);
        // An open SSE stream is a request in flight: the session is busy while it lasts.
        const stream = await send(server.url, {
          method: 'GET',
          headers: { 'mcp-session-id': sessionId ?? '', accept: 'text/event-stream' },
        });
        expect(stream.statusCode).toBe(200);
        streams.push(stream);
      }
      const refused = await initialize(server.url);
      expect(refused.status).toBe(503);
      expect(refused.body).toContain('2 live sessions (--max-sessions 2), all busy');
      // One stream ends: its session is idle, so a new client gets room.
      streams[0]?.destroy();
      await eventually(async () => (await initialize(server.url)).status === 200 || undefined);
      for (const stream of streams) stream.destroy();
    });

    it('closes a connection that sends nothing', async () => {
      const server = await start(['--idle-timeout', '1']);
      const socket = connect(Number(server.url.port), server.url.hostname);
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      expect(socket.destroyed).toBe(true);
    });

    it('answers a body that never completes with 408 and closes the connection', async () => {
      const server = await start(['--request-timeout', '1']);
      const socket = connect(Number(server.url.port), server.url.hostname);
      let answer = '';
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString('utf8');
      });
      socket.write(
        `POST /mcp HTTP/1.1\r\nHost: ${server.url.host}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"jsonrpc"`,
      );
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    });

    it('still serves a tool call that takes longer than the idle and request timeouts', async () => {
      const root = await realpath(await mkdtemp(join(tmpdir(), 'sa-http-slow-')));
      const server = await start(['--idle-timeout', '1', '--request-timeout', '1', '--root', root]);
      const client = new Client({ name: 'slow', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(server.url));
      const { json, result } = await callJson<{ stdout: string }>(client, 'py_run_script_in_dir', {
        directory: root,
        // Waits for the idle timeout to pass at least twice, on the script's own clock.
        script_content: 'import time\ntime.sleep(2.5)\nprint("still here")',
      });
      expect(result.isError).toBeFalsy();
      expect(json.stdout).toBe('still here\n');
      await client.close();
    });
  });
});
