import { request } from 'node:http';
import { mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startHttpServerProcess, type HttpServerProcess } from '../testing/http-replica';
import { callJson, eventually } from '../testing/stdio-server';

async function connect(url: URL, token?: string): Promise<Client> {
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
  });
  await client.connect(transport);
  return client;
}

function rawPost(
  url: URL,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1' },
      },
    });
    const outgoing = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('Streamable HTTP', { timeout: 60_000 }, () => {
  let root: string;
  let open: HttpServerProcess;
  let guarded: HttpServerProcess;

  beforeAll(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'sa-e2e-http-')));
    [open, guarded] = await Promise.all([
      startHttpServerProcess([
        '--root',
        root,
        '--data-dir',
        join(root, 'open'),
        '--inline-timeout',
        '0.3',
      ]),
      startHttpServerProcess([
        '--root',
        root,
        '--data-dir',
        join(root, 'guarded'),
        '--auth-token',
        'sesame',
      ]),
    ]);
  });
  afterAll(async () => {
    await Promise.all([open?.stop(), guarded?.stop()]);
  });

  it('binds loopback and serves the tools, inline and promoted', async () => {
    expect(open.url.hostname).toBe('127.0.0.1');
    const client = await connect(open.url);
    try {
      const inline = await callJson(client, 'py_run_script_in_dir', {
        directory: root,
        script_content: 'print("over http")',
      });
      expect(inline.json).toMatchObject({ stdout: 'over http\n', exit_code: 0 });
      const handle = await callJson<{ job_id: string; status: string }>(
        client,
        'py_run_script_in_dir_v2',
        {
          directory: root,
          script_content: 'import time\ntime.sleep(0.8)\nprint("later")',
        },
      );
      expect(handle.json.status).toBe('running');
      const done = await eventually(async () => {
        const { json } = await callJson<{ job: { status: string; result?: { stdout: string } } }>(
          client,
          'py_job_status',
          {
            job_id: handle.json.job_id,
            wait_seconds: 5,
          },
        );
        return json.job.status === 'completed' ? json.job : undefined;
      });
      expect(done.result?.stdout).toBe('later\n');
    } finally {
      await client.close();
    }
  });

  it('scopes jobs per session: another session cannot read, wait on or cancel them', async () => {
    const [alice, mallory] = await Promise.all([connect(open.url), connect(open.url)]);
    try {
      const handle = await callJson<{ job_id: string }>(alice, 'py_run_script_in_dir_v2', {
        directory: root,
        // Runs until cancelled below, so it is still live however slow the calls between are.
        script_content: 'import time; time.sleep(600)',
        async_mode: true,
      });
      for (const [tool, args] of [
        ['py_job_status', { job_id: handle.json.job_id }],
        ['py_cancel_job', { job_id: handle.json.job_id }],
        ['py_get_job_output', { job_id: handle.json.job_id }],
        ['py_kill_job', { job_id: handle.json.job_id }],
      ] as const) {
        const { result } = await callJson(mallory, tool, args);
        expect(result.isError, tool).toBe(true);
      }
      const own = await callJson<{ job: { status: string } }>(alice, 'py_job_status', {
        job_id: handle.json.job_id,
      });
      expect(['pending', 'running']).toContain(own.json.job.status);
      await callJson(alice, 'py_cancel_job', { job_id: handle.json.job_id });
    } finally {
      await Promise.all([alice.close(), mallory.close()]);
    }
  });

  it.each([
    ['a foreign Host header', { host: 'evil.example:80' }, 403, /Host .* is not allowed/],
    ['a foreign Origin', { origin: 'http://evil.example' }, 403, /Origin .* is not allowed/],
  ])('refuses %s (DNS rebinding protection)', async (_name, headers, status, message) => {
    const response = await rawPost(open.url, headers);
    expect(response.status).toBe(status);
    expect(response.body).toMatch(message);
  });

  it('accepts a loopback Origin', async () => {
    const response = await rawPost(open.url, { origin: `http://localhost:${open.url.port}` });
    expect(response.status).toBe(200);
  });

  it('requires the bearer token when one is set', async () => {
    const missing = await rawPost(guarded.url, {});
    expect(missing.status).toBe(401);
    const wrong = await rawPost(guarded.url, { authorization: 'Bearer wrong' });
    expect(wrong.status).toBe(401);
    const client = await connect(guarded.url, 'sesame');
    try {
      const { json } = await callJson(client, 'py_run_script_in_dir', {
        directory: root,
        script_content: 'print(42)',
      });
      expect(json).toMatchObject({ stdout: '42\n' });
    } finally {
      await client.close();
    }
  });
});
