import { mkdtemp, readFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { resolveConfig } from './config';
import type { HttpEndpoint } from './http-server';
import { startHttpServer } from './http-server';
import type { Logger } from './logger';
import type { PythonRunnerServer } from './server';
import { createPythonRunnerServer } from './server';
import { isAlive } from './testing/is-alive';
import { callJson, eventually } from './testing/stdio-server';

describe('startHttpServer with stateless', { timeout: 60_000 }, () => {
  const logged: string[] = [];
  const logger: Logger = {
    info: () => undefined,
    warn: (message) => logged.push(`warn: ${message}`),
    error: (message) => logged.push(`error: ${message}`),
  };
  let root: string;
  let runner: PythonRunnerServer;
  let endpoint: HttpEndpoint;
  // The real server, counting the per-request MCP servers it hands out and that get closed.
  let created = 0;
  let closed = 0;

  beforeAll(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'sa-http-stateless-')));
    const config = resolveConfig({
      transport: 'http',
      port: 0,
      stateless: true,
      store: 'memory',
      dataDirectory: join(root, 'data'),
      roots: [root],
      inlineTimeoutSeconds: 20,
    });
    runner = await createPythonRunnerServer({ config, logger });
    const counting: PythonRunnerServer = {
      services: runner.services,
      close: () => runner.close(),
      createMcpServer(era) {
        const server = runner.createMcpServer(era);
        created += 1;
        const onclose = server.server.onclose;
        server.server.onclose = () => {
          closed += 1;
          onclose?.();
        };
        return server;
      },
    };
    endpoint = await startHttpServer({ server: counting, config, logger });
  });

  afterAll(async () => {
    await endpoint?.close();
    await runner?.close();
  });

  it('serves every request with its own server and closes it with the response', async () => {
    const client = new Client({ name: 'stateless-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(endpoint.url)));
    try {
      for (let index = 0; index < 3; index += 1) {
        const { json } = await callJson(client, 'py_run_script_in_dir_v2', {
          directory: root,
          script_content: `print(${index})`,
        });
        expect(json).toMatchObject({ stdout: `${index}\n` });
      }
    } finally {
      await client.close();
    }
    // initialize, notifications/initialized and three calls: five servers, all closed.
    expect(created).toBeGreaterThanOrEqual(5);
    await eventually(() => closed === created || undefined);
    expect(logged).toEqual([]);
  });

  it('promotes inline work whose client disconnected, and the job still completes', async () => {
    const pidFile = join(root, 'disconnect.pid');
    const abort = new AbortController();
    // SDK v2's transport sends the response headers with the result (SDK v1 sent SSE headers at
    // once), so the client leaves before any answer: the request is not awaited.
    const pending = fetch(endpoint.url, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: {
          name: 'py_run_script_in_dir_v2',
          arguments: {
            directory: root,
            script_content: [
              'import os, time',
              `open(${JSON.stringify(pidFile)}, "w").write(str(os.getpid()))`,
              'time.sleep(1)',
              'print("survived", flush=True)',
            ].join('\n'),
          },
        },
      }),
    }).catch((error: unknown) => error);
    const pid = await eventually(async () => {
      const text = await readFile(pidFile, 'utf8').catch(() => '');
      return text === '' ? undefined : Number(text);
    });
    abort.abort();
    expect(await pending).toBeInstanceOf(Error);
    await eventually(() => closed === created || undefined);
    expect(isAlive(pid)).toBe(true);
    // Without a token and a session the scope is null: the job is shared.
    const job = await eventually(async () => {
      const page = await runner.services.jobs.list({ scope: null });
      return page.jobs.find((record) => record.status === 'completed');
    });
    expect(JSON.stringify(job.result)).toContain('survived');
    expect(logged).toEqual([]);
  });

  it.each([
    ['GET', 405, /stateless/],
    ['DELETE', 405, /stateless/],
  ])('answers %s with %i and a JSON-RPC error', async (method, status, message) => {
    const response = await fetch(endpoint.url, {
      method,
      headers: { accept: 'text/event-stream' },
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('allow')).toBe('POST');
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(message);
  });

  it('answers a body over 4 MiB with 413 naming the limit', async () => {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ padding: 'x'.repeat(5 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/larger than 4194304 bytes/);
  });

  it('answers a body that is not JSON with a parse error', async () => {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: number } };
    expect(body.error.code).toBe(-32700);
  });
});
