import { mkdtempSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import {
  createTaskSessionFromClient,
  resultFromTaskOutcome,
  type RawClientDispatch,
  type TaskEnabledSession,
} from '@modelcontextprotocol/ext-tasks/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioClientTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  GetTaskResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDist,
  distCli,
  postJsonRpc,
  request2026,
  startDistHttpServer,
  type DistHttpServer,
} from '../testing/dist-server';
import { isAlive } from '../testing/is-alive';
import { callJson, eventually, packageDirectory } from '../testing/stdio-server';

// Every kind of client against the BUILT server (dist/cli.js, built in beforeAll): the ext-tasks
// 0.2.2 client (2026-07-28 with the Tasks extension) over Streamable HTTP and stdio, raw 2026
// requests without the extension, and the SDK v1 client (2025 era, with client-directed tasks)
// over Streamable HTTP (sessions and stateless) and stdio.

const root = realpathSync(mkdtempSync(join(tmpdir(), 'sa-e2e-every-client-')));
const serverArgs = (name: string): string[] => [
  '--root',
  root,
  '--data-dir',
  join(root, `.data-${name}`),
  // Long enough that a fast script answers inline on a loaded machine; the slow calls below
  // ask for the background at once (async_mode), so no test depends on how long a run takes.
  '--inline-timeout',
  '20',
];

// Reports progress, prints, sleeps (its progress line stays in stdout).
const progressScript = [
  'import time',
  'from smart_async_progress import progress',
  'progress(3, 10, "crunching")',
  'print("working", flush=True)',
  'time.sleep(1.5)',
  'print("done", flush=True)',
].join('\n');

// Writes its pid and its child's pid to a file, then sleeps.
const treeScript = (pidFile: string): string =>
  [
    'import os, subprocess, sys, time',
    'child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])',
    `open(${JSON.stringify(pidFile)}, "w").write(f"{os.getpid()} {child.pid}")`,
    'time.sleep(60)',
  ].join('\n');

/** What a finished progressScript printed (its `::progress` line comes first). */
const doneStdout: unknown = expect.stringContaining('working\ndone\n');

async function readPids(pidFile: string): Promise<number[]> {
  return eventually(async () => {
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    const pids = text.trim().split(' ').filter(Boolean).map(Number);
    return pids.length === 2 ? pids : undefined;
  }, 30_000);
}

const framing = {
  protocolVersion: '2026-07-28',
  clientInfo: { name: 'ext-tasks-e2e', version: '1.0.0' },
  clientCapabilities: {},
};

/** ext-tasks' rawDispatch as a host writes it over HTTP: one fetch POST per request with the MCP headers. */
function fetchDispatch(url: URL): RawClientDispatch {
  let id = 1;
  return async (request) => {
    const message: Record<string, unknown> = {
      jsonrpc: '2.0',
      id: `ext-${id++}`,
      ...(request as Record<string, unknown>),
    };
    const method = message['method'] as string;
    const params = (message['params'] ?? {}) as Record<string, unknown>;
    const name = method === 'tools/call' ? params['name'] : params['taskId'];
    const answer = await postJsonRpc(url, message, {
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...(typeof name === 'string' ? { 'mcp-name': name } : {}),
    });
    return answer.kind === 'result'
      ? { kind: 'result', result: answer.result as never }
      : { kind: 'error', error: answer.error as never };
  };
}

/** ext-tasks' rawDispatch over the stdio connection the SDK client holds (answers matched by id). */
function stdioDispatch(transport: StdioClientTransport): RawClientDispatch {
  let id = 1;
  const waiting = new Map<string, (message: Record<string, unknown>) => void>();
  const forward = transport.onmessage;
  transport.onmessage = (message: Parameters<NonNullable<typeof forward>>[0]) => {
    const answerId = (message as { id?: unknown }).id;
    const resolve = typeof answerId === 'string' ? waiting.get(answerId) : undefined;
    if (resolve !== undefined && typeof answerId === 'string') {
      waiting.delete(answerId);
      resolve(message);
      return;
    }
    forward?.call(transport, message);
  };
  return async (request) => {
    const messageId = `ext-${id++}`;
    const answered = new Promise<Record<string, unknown>>((resolve) =>
      waiting.set(messageId, resolve),
    );
    await transport.send({
      jsonrpc: '2.0',
      id: messageId,
      ...(request as Record<string, unknown>),
    } as never);
    const answer = await answered;
    return 'error' in answer
      ? { kind: 'error', error: answer['error'] as never }
      : { kind: 'result', result: answer['result'] as never };
  };
}

function pinned2026(): Client {
  return new Client(
    { name: 'sdk-v2-e2e', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
}

beforeAll(() => {
  buildDist();
}, 600_000);

describe(
  '2026-07-28 with the Tasks extension (ext-tasks 0.2.2) over Streamable HTTP, built server',
  { timeout: 120_000 },
  () => {
    let server: DistHttpServer;
    let session: TaskEnabledSession;
    beforeAll(async () => {
      server = await startDistHttpServer(serverArgs('http-2026'));
      const client = pinned2026();
      await client.connect(new StreamableHTTPClientTransport(server.url));
      session = createTaskSessionFromClient(client, {
        endpointId: 'python-runner',
        rawDispatch: fetchDispatch(server.url),
        v2RequestFraming: framing,
      });
    });
    afterAll(async () => {
      await session?.close();
      await server?.stop();
    });

    it('sees the extension; a fast script answers inline', async () => {
      expect(session.capabilities.execution).toBe(true);
      const execution = await session.callTool('py_run_script_in_dir_v2', {
        directory: root,
        script_content: 'print("hi")',
      });
      expect(execution.kind).toBe('immediate');
      const { outcome } = await execution.settle();
      expect(resultFromTaskOutcome(outcome)).toMatchObject({
        structuredContent: { stdout: 'hi\n', exit_code: 0 },
      });
    });

    it('a background run is a task: tasks/get shows its progress, then inlines the run result', async () => {
      const execution = await session.callTool('py_run_script_in_dir_v2', {
        directory: root,
        script_content: progressScript,
        async_mode: true,
      });
      expect(execution.kind).toBe('task');
      if (execution.kind !== 'task') throw new Error('expected a task');
      const { taskId } = execution.handle;
      // The raw wire, as a host polls: statusMessage carries the script's progress.
      const working = await eventually(async () => {
        const answer = await request2026(server.url, 'tasks/get', { taskId }, { name: taskId });
        if (answer.kind !== 'result') throw new Error(answer.error.message);
        const statusMessage = answer.result['statusMessage'];
        return typeof statusMessage === 'string' && statusMessage.includes('crunching')
          ? answer.result
          : undefined;
      }, 30_000);
      expect(working).toMatchObject({ taskId, status: 'working' });
      expect(working['statusMessage']).toContain('3/10');
      const { outcome } = await execution.settle();
      expect(outcome.status).toBe('completed');
      expect(resultFromTaskOutcome(outcome)).toMatchObject({
        structuredContent: { stdout: doneStdout, exit_code: 0 },
      });
      const finished = await request2026(server.url, 'tasks/get', { taskId }, { name: taskId });
      expect(finished).toMatchObject({
        kind: 'result',
        result: {
          status: 'completed',
          result: {
            structuredContent: { stdout: doneStdout, exit_code: 0 },
          },
        },
      });
    });

    it('tasks/cancel kills the whole process tree', async () => {
      const pidFile = join(root, 'http-2026-cancel.txt');
      const execution = await session.callTool('py_run_script_in_dir_v2', {
        directory: root,
        script_content: treeScript(pidFile),
        async_mode: true,
      });
      expect(execution.kind).toBe('task');
      if (execution.kind !== 'task') throw new Error('expected a task');
      const pids = await readPids(pidFile);
      expect(pids.every(isAlive)).toBe(true);
      await execution.cancel();
      await eventually(() => pids.every((pid) => !isAlive(pid)) || undefined, 30_000);
      const view = await session.task(execution.handle.taskId).snapshot();
      expect(view.status).toBe('cancelled');
    });

    it('a 2026 request without the extension gets a job handle, followed with py_job_status', async () => {
      const answer = await request2026(
        server.url,
        'tools/call',
        {
          name: 'py_run_script_in_dir_v2',
          arguments: { directory: root, script_content: progressScript, async_mode: true },
        },
        { extension: false, name: 'py_run_script_in_dir_v2' },
      );
      if (answer.kind !== 'result') throw new Error(answer.error.message);
      expect(answer.result['resultType']).not.toBe('task');
      const handle = answer.result['structuredContent'] as { job_id: string; status: string };
      expect(['pending', 'running']).toContain(handle.status);
      const status = await eventually(async () => {
        const polled = await request2026(
          server.url,
          'tools/call',
          { name: 'py_job_status', arguments: { job_id: handle.job_id, wait_seconds: 10 } },
          { extension: false, name: 'py_job_status' },
        );
        if (polled.kind !== 'result') throw new Error(polled.error.message);
        const text = JSON.stringify(polled.result['structuredContent']);
        return text.includes('"status":"completed"') ? text : undefined;
      }, 30_000);
      expect(status).toContain('done');
    });

    it('tasks/* without the extension is refused with -32021', async () => {
      const answer = await request2026(
        server.url,
        'tasks/get',
        { taskId: 'AAAAAAAAAAAAAAAAAAAAAA' },
        { extension: false, name: 'AAAAAAAAAAAAAAAAAAAAAA' },
      );
      expect(answer).toMatchObject({ kind: 'error', error: { code: -32021 } });
    });
  },
);

describe(
  '2026-07-28 with the Tasks extension (ext-tasks 0.2.2) over stdio, built server',
  { timeout: 120_000 },
  () => {
    let session: TaskEnabledSession;
    let client: Client;
    beforeAll(async () => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [distCli, ...serverArgs('stdio-2026')],
        cwd: packageDirectory,
        stderr: 'pipe',
      });
      client = pinned2026();
      await client.connect(transport);
      session = createTaskSessionFromClient(client, {
        endpointId: 'python-runner-stdio',
        rawDispatch: stdioDispatch(transport),
        v2RequestFraming: framing,
      });
    });
    afterAll(async () => {
      await session?.close();
      await client?.close();
    });

    it('a fast script answers inline; a background one is a task that settles with the run result', async () => {
      const fast = await session.callTool('py_run_script_in_dir_v2', {
        directory: root,
        script_content: 'print("hi")',
      });
      expect(fast.kind).toBe('immediate');
      const slow = await session.callTool('py_run_script_in_dir_v2', {
        directory: root,
        script_content: progressScript,
        async_mode: true,
      });
      expect(slow.kind).toBe('task');
      const { outcome } = await slow.settle();
      expect(outcome.status).toBe('completed');
      expect(resultFromTaskOutcome(outcome)).toMatchObject({
        structuredContent: { stdout: doneStdout, exit_code: 0 },
      });
    });

    it('tasks/cancel kills the whole process tree', async () => {
      const pidFile = join(root, 'stdio-2026-cancel.txt');
      const execution = await session.callTool('py_run_script_in_dir_v2', {
        directory: root,
        script_content: treeScript(pidFile),
        async_mode: true,
      });
      expect(execution.kind).toBe('task');
      if (execution.kind !== 'task') throw new Error('expected a task');
      const pids = await readPids(pidFile);
      await execution.cancel();
      await eventually(() => pids.every((pid) => !isAlive(pid)) || undefined, 30_000);
      const view = await session.task(execution.handle.taskId).snapshot();
      expect(view.status).toBe('cancelled');
    });
  },
);

describe('SDK v1 client (2025 era) against the built server', { timeout: 120_000 }, () => {
  const scenarios: [string, () => Promise<{ client: ClientV1; stop: () => Promise<void> }>][] = [
    [
      'Streamable HTTP (sessions)',
      async () => {
        const server = await startDistHttpServer(serverArgs('http-2025'));
        const client = new ClientV1({ name: 'sdk-v1-e2e', version: '1.0.0' });
        await client.connect(new StreamableHTTPClientTransportV1(server.url));
        return {
          client,
          stop: async () => {
            await client.close();
            await server.stop();
          },
        };
      },
    ],
    [
      'Streamable HTTP (stateless)',
      async () => {
        const server = await startDistHttpServer([
          ...serverArgs('http-2025-stateless'),
          '--stateless',
        ]);
        const client = new ClientV1({ name: 'sdk-v1-e2e', version: '1.0.0' });
        await client.connect(new StreamableHTTPClientTransportV1(server.url));
        return {
          client,
          stop: async () => {
            await client.close();
            await server.stop();
          },
        };
      },
    ],
    [
      'stdio',
      async () => {
        const client = new ClientV1({ name: 'sdk-v1-e2e', version: '1.0.0' });
        await client.connect(
          new StdioClientTransportV1({
            command: process.execPath,
            args: [distCli, ...serverArgs('stdio-2025')],
            cwd: packageDirectory,
            stderr: 'pipe',
          }),
        );
        return { client, stop: () => client.close() };
      },
    ],
  ];

  it.each(scenarios)(
    'over %s: inline results, a job handle (async_mode), py_job_status long-poll, py_cancel_job',
    async (transportName, start) => {
      const { client, stop } = await start();
      try {
        const { tools } = await client.listTools();
        const names = tools.map((tool) => tool.name);
        for (const name of ['py_run_script_in_dir', 'py_run_script_in_dir_v2', 'py_job_status'])
          expect(names).toContain(name);
        expect(client.getServerCapabilities()?.tasks).toBeDefined();
        const inline = await callJson<{ stdout: string }>(client, 'py_run_script_in_dir_v2', {
          directory: root,
          script_content: 'print("hi")',
        });
        expect(inline.json.stdout).toBe('hi\n');
        const { json: handle } = await callJson<{ job_id: string; status: string }>(
          client,
          'py_run_script_in_dir_v2',
          { directory: root, script_content: progressScript, async_mode: true },
        );
        expect(['pending', 'running']).toContain(handle.status);
        const status = await eventually(async () => {
          const { text } = await callJson(client, 'py_job_status', {
            job_id: handle.job_id,
            wait_seconds: 10,
          });
          return text.includes('"status":"completed"') ? text : undefined;
        }, 30_000);
        expect(status).toContain('done');

        const pidFile = join(root, `v1-${transportName.split(' ')[0]}-cancel.txt`);
        const { json: doomed } = await callJson<{ job_id: string }>(
          client,
          'py_run_script_in_dir_v2',
          { directory: root, script_content: treeScript(pidFile), async_mode: true },
        );
        const pids = await readPids(pidFile);
        await callJson(client, 'py_cancel_job', { job_id: doomed.job_id });
        await eventually(() => pids.every((pid) => !isAlive(pid)) || undefined, 30_000);
      } finally {
        await stop();
      }
    },
  );

  // VS Code's way (2025-11-25): `tools/call` with `params.task` on a _v2 tool.
  it.each(scenarios)(
    'over %s: a client-directed task answers CreateTaskResult at once, tasks/get shows progress, tasks/result the run, tasks/cancel kills it',
    async (transportName, start) => {
      const { client, stop } = await start();
      try {
        expect(client.getServerCapabilities()?.tasks?.requests?.tools?.call).toEqual({});
        const callAsTask = (script: string) =>
          client.request(
            {
              method: 'tools/call',
              params: {
                name: 'py_run_script_in_dir_v2',
                arguments: { directory: root, script_content: script },
                task: { ttl: 60_000 },
              },
            },
            CreateTaskResultSchema,
          );
        const getTask = (taskId: string) =>
          client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
        const created = await callAsTask(progressScript);
        expect(created.task.status).toBe('working');
        const { taskId } = created.task;
        const seen = await eventually(async () => {
          const task = await getTask(taskId);
          return task.statusMessage === 'crunching' || task.status === 'completed'
            ? task
            : undefined;
        }, 30_000);
        expect(['working', 'completed']).toContain(seen.status);
        const result = await client.request(
          { method: 'tasks/result', params: { taskId } },
          CallToolResultSchema,
        );
        expect(result.structuredContent).toMatchObject({ exit_code: 0 });
        expect((result.structuredContent as { stdout: string }).stdout).toContain('done');
        expect((await getTask(taskId)).status).toBe('completed');

        const pidFile = join(root, `v1-task-${transportName.split(' ').join('-')}-cancel.txt`);
        const doomed = await callAsTask(treeScript(pidFile));
        const pids = await readPids(pidFile);
        const ack = await client.request(
          { method: 'tasks/cancel', params: { taskId: doomed.task.taskId } },
          GetTaskResultSchema,
        );
        expect(['cancelled', 'working']).toContain(ack.status);
        await eventually(() => pids.every((pid) => !isAlive(pid)) || undefined, 30_000);
        await eventually(
          async () => (await getTask(doomed.task.taskId)).status === 'cancelled' || undefined,
          30_000,
        );
      } finally {
        await stop();
      }
    },
  );
});
