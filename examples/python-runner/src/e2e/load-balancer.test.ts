import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, realpath } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request2026 } from '../testing/dist-server';
import { isAlive } from '../testing/is-alive';
import { startHttpServerProcess, type HttpServerProcess } from '../testing/http-replica';
import { callForResult, callJson, eventually } from '../testing/stdio-server';

/** What the proxy sent to one replica. */
interface ReplicaCounters {
  requests: number;
  toolCalls: string[];
  /** The `Mcp-Name` header of each request that had one (what a proxy could route by). */
  names: string[];
}

/** A round-robin reverse proxy: every request goes to the next replica, responses streamed. */
interface RoundRobinProxy {
  url: URL;
  counters: ReplicaCounters[];
  close(): Promise<void>;
}

async function startRoundRobinProxy(targets: readonly URL[]): Promise<RoundRobinProxy> {
  const counters = targets.map((): ReplicaCounters => ({ requests: 0, toolCalls: [], names: [] }));
  let next = 0;
  const forward = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const index = next % targets.length;
    next += 1;
    const target = targets[index];
    const counter = counters[index];
    if (target === undefined || counter === undefined) throw new Error('no replica');
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    counter.requests += 1;
    const name = incoming.headers['mcp-name'];
    if (typeof name === 'string') counter.names.push(name);
    if (body.length > 0) {
      const message = JSON.parse(body.toString('utf8')) as {
        method?: string;
        params?: { name?: string };
      };
      if (message.method === 'tools/call') counter.toolCalls.push(message.params?.name ?? '');
    }
    // Like a typical reverse proxy, the upstream sees its own Host.
    const upstream = httpRequest(target, {
      method: incoming.method,
      headers: { ...incoming.headers, host: target.host },
    });
    upstream.once('response', (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(outgoing);
    });
    upstream.once('error', () => outgoing.destroy());
    // A client that goes away closes the upstream request too, as a real proxy does.
    outgoing.once('close', () => upstream.destroy());
    upstream.end(body);
  };
  const server: Server = createServer((incoming, outgoing) => {
    forward(incoming, outgoing).catch(() => outgoing.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    counters,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function postJson(
  url: URL,
  message: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; sessionId: string | null; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(message),
  });
  return {
    status: response.status,
    sessionId: response.headers.get('mcp-session-id'),
    body: await response.text(),
  };
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'load-balancer-test', version: '1' },
  },
};

// Writes its pid to a file, then sleeps a minute.
const sleeperScript = (pidFile: string): string =>
  [
    'import os, time',
    `open(${JSON.stringify(pidFile)}, "w").write(str(os.getpid()))`,
    'time.sleep(60)',
  ].join('\n');

async function readPid(pidFile: string): Promise<number> {
  return eventually(async () => {
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    return text.trim() === '' ? undefined : Number(text.trim());
  }, 20_000);
}

interface JobView {
  job: { status: string; result?: { stdout?: string } };
}

describe('two replicas behind a round-robin load balancer', { timeout: 90_000 }, () => {
  const token = randomBytes(12).toString('hex');
  const authorization = { authorization: `Bearer ${token}` };
  let root: string;
  const replicas: HttpServerProcess[] = [];
  const proxies: RoundRobinProxy[] = [];
  const strayPids: number[] = [];

  const startPair = async (name: string, extra: readonly string[]): Promise<RoundRobinProxy> => {
    const common = [
      '--root',
      root,
      '--data-dir',
      join(root, name),
      '--auth-token',
      token,
      '--inline-timeout',
      '0.5',
      '--lease-seconds',
      '3',
      '--heartbeat-seconds',
      '0.5',
      ...extra,
    ];
    // One after the other: the second sees the first one's store and child registry as live.
    const first = await startHttpServerProcess(common);
    replicas.push(first);
    const second = await startHttpServerProcess(common);
    replicas.push(second);
    const proxy = await startRoundRobinProxy([first.url, second.url]);
    proxies.push(proxy);
    return proxy;
  };

  beforeAll(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'sa-e2e-load-balancer-')));
  });

  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await Promise.all(replicas.map((replica) => replica.stop()));
    for (const pid of strayPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }, 30_000);

  it('with --stateless, any replica answers any request: inline, promoted, followed and cancelled', async () => {
    const proxy = await startPair('stateless', ['--stateless']);
    const client = new Client({ name: 'load-balancer-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(proxy.url, { requestInit: { headers: authorization } }),
    );
    try {
      // Inline on an idle machine; promoted (and followed) when python starts slower than the
      // 0.5 s budget: both are correct, the result is the same.
      const inline = await callForResult<{ stdout: string; exit_code: number }>(
        client,
        'py_run_script_in_dir_v2',
        { directory: root, script_content: 'print("inline")' },
      );
      expect(inline.json).toMatchObject({ stdout: 'inline\n', exit_code: 0 });

      const handle = await callJson<{ job_id: string; status: string }>(
        client,
        'py_run_script_in_dir_v2',
        {
          directory: root,
          script_content: 'import time\ntime.sleep(2)\nprint("later", flush=True)',
        },
      );
      expect(handle.json.status).toBe('running');
      let job: JobView['job'] | undefined;
      for (let calls = 0; calls < 10 && job?.status !== 'completed'; calls += 1) {
        const { json, text } = await callJson<JobView>(
          client,
          'py_job_status',
          { job_id: handle.json.job_id, wait_seconds: 5 },
          { timeout: 30_000 },
        );
        if (json?.job === undefined) throw new Error(`py_job_status failed: ${text}`);
        job = json.job;
      }
      expect(job?.status).toBe('completed');
      expect(job?.result?.stdout).toBe('later\n');

      const pidFile = join(root, 'cancel.pid');
      const started = await callJson<{ job_id: string }>(client, 'py_run_script_in_dir_v2', {
        directory: root,
        script_content: sleeperScript(pidFile),
        async_mode: true,
      });
      const pid = await readPid(pidFile);
      strayPids.push(pid);
      expect(isAlive(pid)).toBe(true);
      const cancelled = await callJson<{ status: string }>(client, 'py_cancel_job', {
        job_id: started.json.job_id,
      });
      expect(cancelled.json?.status).toMatch(/^cancel/);
      await eventually(() => (isAlive(pid) ? undefined : true), 10_000);

      // Both replicas served tool calls, so no request needed the replica of an earlier one.
      for (const counter of proxy.counters) expect(counter.toolCalls.length).toBeGreaterThan(0);
      expect(proxy.counters.flatMap((counter) => counter.toolCalls)).toEqual(
        expect.arrayContaining(['py_run_script_in_dir_v2', 'py_job_status', 'py_cancel_job']),
      );
    } finally {
      await client.close();
    }
    for (const replica of replicas) expect(replica.stderr()).not.toMatch(/\] (warn|error): /);
  });

  it('2026-07-28 requests carry Mcp-Name through the proxy: a task created on one replica is followed and cancelled on the other', async () => {
    const proxy = await startPair('modern', []);
    const pidFile = join(root, 'modern-task.pid');
    const created = await request2026(
      proxy.url,
      'tools/call',
      {
        name: 'py_run_script_in_dir_v2',
        arguments: { directory: root, script_content: sleeperScript(pidFile), async_mode: true },
      },
      { name: 'py_run_script_in_dir_v2', headers: authorization },
    );
    if (created.kind !== 'result') throw new Error(created.error.message);
    expect(created.result).toMatchObject({ resultType: 'task', status: 'working' });
    const taskId = created.result['taskId'] as string;
    const pid = await readPid(pidFile);
    strayPids.push(pid);
    // Round robin: this one goes to the other replica.
    const followed = await request2026(
      proxy.url,
      'tasks/get',
      { taskId },
      { name: taskId, headers: authorization },
    );
    expect(followed).toMatchObject({ kind: 'result', result: { taskId, status: 'working' } });
    const cancelled = await request2026(
      proxy.url,
      'tasks/cancel',
      { taskId },
      { name: taskId, headers: authorization },
    );
    expect(cancelled.kind).toBe('result');
    await eventually(() => !isAlive(pid) || undefined, 20_000);
    const ended = await eventually(async () => {
      const answer = await request2026(
        proxy.url,
        'tasks/get',
        { taskId },
        { name: taskId, headers: authorization },
      );
      if (answer.kind !== 'result') throw new Error(answer.error.message);
      return answer.result['status'] === 'cancelled' ? answer.result : undefined;
    }, 20_000);
    expect(ended['status']).toBe('cancelled');
    // Both replicas served it, and each saw the task id in Mcp-Name on its tasks/* requests.
    for (const counter of proxy.counters) expect(counter.names).toContain(taskId);
    expect(proxy.counters.flatMap((counter) => counter.names)).toContain('py_run_script_in_dir_v2');
  });

  it('with --stateless, no session id is handed out and GET gets 405', async () => {
    const proxy = proxies[0] ?? (await startPair('stateless-raw', ['--stateless']));
    const answer = await postJson(proxy.url, initialize, authorization);
    expect(answer.status).toBe(200);
    expect(answer.sessionId).toBeNull();
    const get = await fetch(proxy.url, {
      headers: { accept: 'text/event-stream', ...authorization },
    });
    expect(get.status).toBe(405);
    expect(await get.text()).toMatch(/stateless/);
    const anonymous = await postJson(proxy.url, initialize, {});
    expect(anonymous.status).toBe(401);
  });

  it('without --stateless the same setup breaks: the second request gets 404', async () => {
    const proxy = await startPair('sessions', []);
    const first = await postJson(proxy.url, initialize, authorization);
    expect(first.status).toBe(200);
    expect(first.sessionId).toEqual(expect.any(String));
    const second = await postJson(
      proxy.url,
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      {
        ...authorization,
        'mcp-session-id': first.sessionId ?? '',
        'mcp-protocol-version': '2025-06-18',
      },
    );
    expect(second.status).toBe(404);
    expect(second.body).toMatch(/Unknown or expired session/);
  });
});
