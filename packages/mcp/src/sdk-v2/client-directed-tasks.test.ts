import { createJobManager, createMemoryJobStore } from '@sa/jobs';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  GetTaskResultSchema,
  ListTasksResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { waitUntil } from '../test-support/deferred';
import { createSmartTools } from './create-smart-tools';
import { postJsonRpc, rawRequest, startV2HttpServer } from './test-support/v2-http';
import { startV2TestServer, type V2TestServer } from './test-support/v2-server';

// 2025-11-25 client-directed tasks (`tools/call` with `params.task`) on the SDK v2 adapter: the
// SDK v1 client (what VS Code speaks) against a stateless v2 server over Streamable HTTP.

describe('SDK v1 client: client-directed tasks on a v2 server', () => {
  let server: V2TestServer;
  let client: ClientV1;
  beforeEach(async () => {
    server = await startV2TestServer();
    client = new ClientV1({ name: 'sdk-v1-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransportV1(server.url));
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  const callAsTask = (name: string, args: Record<string, unknown>) =>
    client.request(
      { method: 'tools/call', params: { name, arguments: args, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
    );
  const getTask = (taskId: string) =>
    client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);

  it('advertises tasks.requests.tools.call and taskSupport "optional" on smart tools only', async () => {
    expect(client.getServerCapabilities()?.tasks).toEqual({
      list: {},
      cancel: {},
      requests: { tools: { call: {} } },
    });
    const { tools } = await client.listTools();
    const support = Object.fromEntries(
      tools.map((tool) => [tool.name, tool.execution?.taskSupport]),
    );
    expect(support).toMatchObject({ echo: 'optional', slow: 'optional', typed: 'optional' });
    expect(support['job_status']).toBeUndefined();
  });

  it(
    'answers a CreateTaskResult at once, stored before the reply; tasks/get shows working then completed; tasks/result gives the result',
    { timeout: 30_000 },
    async () => {
      const created = await callAsTask('slow', { key: 'ct' });
      expect(created.task).toMatchObject({ status: 'working', pollInterval: 1000 });
      const { taskId } = created.task;
      // Durable before the reply: the store has it, and the work is running.
      expect((await server.jobs.get(taskId))?.tool).toBe('slow');
      // The progress the work reported as it started (flushed within a second).
      await waitUntil(async () => (await getTask(taskId)).statusMessage === 'crunching', 10_000);
      expect((await getTask(taskId)).status).toBe('working');
      const listed = await client.request(
        { method: 'tasks/list', params: {} },
        ListTasksResultSchema,
      );
      expect(listed.tasks.map((task) => task.taskId)).toContain(taskId);
      const result = client.request(
        { method: 'tasks/result', params: { taskId } },
        CallToolResultSchema,
      );
      server.gate('ct').resolve();
      expect((await result).structuredContent).toEqual({ done: 'ct' });
      expect((await getTask(taskId)).status).toBe('completed');
    },
  );

  it('even a fast tool starts a task when the client asks for one', async () => {
    const created = await callAsTask('echo', { text: 'task' });
    const result = await client.request(
      { method: 'tasks/result', params: { taskId: created.task.taskId } },
      CallToolResultSchema,
    );
    expect(result.structuredContent).toEqual({ text: 'task' });
  });

  it('a tool with an outputSchema answers a task too, and tasks/result carries its structured result', async () => {
    const created = await callAsTask('typed', { wait: 'typed-ct' });
    server.gate('typed-ct').resolve();
    const result = await client.request(
      { method: 'tasks/result', params: { taskId: created.task.taskId } },
      CallToolResultSchema,
    );
    expect(result.structuredContent).toEqual({ n: 7 });
  });

  it('tasks/cancel stops the work and the task is cancelled', async () => {
    const created = await callAsTask('slow', { key: 'cc' });
    await waitUntil(() => server.signals.has('cc'));
    const cancelled = await client.request(
      { method: 'tasks/cancel', params: { taskId: created.task.taskId } },
      GetTaskResultSchema,
    );
    expect(cancelled.status).toBe('cancelled');
    await waitUntil(() => server.signals.get('cc')?.aborted === true);
    expect((await getTask(created.task.taskId)).status).toBe('cancelled');
  });

  it("the client's own task flow (callToolStream) gets taskCreated, then the result", async () => {
    await client.listTools();
    const stream = client.experimental.tasks.callToolStream({
      name: 'slow',
      arguments: { key: 'stream' },
    });
    const types: string[] = [];
    let structured: unknown;
    for await (const message of stream) {
      types.push(message.type);
      if (message.type === 'taskCreated') server.gate('stream').resolve();
      if (message.type === 'result') structured = message.result.structuredContent;
    }
    expect(types[0]).toBe('taskCreated');
    expect(types.at(-1)).toBe('result');
    expect(structured).toEqual({ done: 'stream' });
  });

  it('a malformed params.task is the SDK request validation error (-32602)', async () => {
    await expect(
      client.request(
        {
          method: 'tools/call',
          params: { name: 'echo', arguments: { text: 'x' }, task: { ttl: 'x' as never } },
        },
        CallToolResultSchema,
      ),
    ).rejects.toMatchObject({ code: -32602 });
  });

  it('invalid arguments with params.task get the same answer as without', async () => {
    const withTask = await postJsonRpc(
      server.url,
      {
        jsonrpc: '2.0',
        id: 'bad-args',
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 5 }, task: { ttl: 1000 } },
      },
      { 'mcp-protocol-version': '2025-11-25' },
    );
    const without = await client.callTool({ name: 'echo', arguments: { text: 5 } });
    expect(withTask.kind).toBe('result');
    if (withTask.kind !== 'result') return;
    expect(withTask.result).toEqual(without);
    expect(without.isError).toBe(true);
    expect((await server.jobs.list({})).jobs).toEqual([]);
  });

  it('a non-smart tool with params.task answers as the SDK does: its ordinary result', async () => {
    const answer = await client.request(
      {
        method: 'tools/call',
        params: { name: 'list_jobs', arguments: {}, task: { ttl: 1000 } },
      },
      CallToolResultSchema,
    );
    expect(answer).not.toHaveProperty('task');
    expect(answer.structuredContent).toMatchObject({ jobs: [] });
  });
});

describe('params.task on the 2026 era', () => {
  let server: V2TestServer;
  beforeEach(async () => {
    server = await startV2TestServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('is ignored (an inline result), and tools/list shows no taskSupport', async () => {
    const answer = await rawRequest(
      server.url,
      'tools/call',
      { name: 'echo', arguments: { text: 'modern' }, task: { ttl: 1000 } },
      { name: 'echo' },
    );
    if (answer.kind !== 'result') throw new Error(JSON.stringify(answer));
    expect(answer.result).toMatchObject({
      resultType: 'complete',
      structuredContent: { text: 'modern' },
    });
    const listed = await rawRequest(server.url, 'tools/list', {});
    if (listed.kind !== 'result') throw new Error(JSON.stringify(listed));
    const tools = listed.result['tools'] as { name: string; execution?: unknown }[];
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.filter((tool) => tool.execution !== undefined)).toEqual([]);
  });
});

describe('createSmartTools after a tool was registered (2025 era)', () => {
  it('warns, advertises no client-directed tasks, and params.task gets no task', async () => {
    const jobs = createJobManager({ store: createMemoryJobStore() });
    const warnings: string[] = [];
    const handler = createMcpHandler((ctx) => {
      const server = new McpServer({ name: 'late', version: '1.0.0' });
      server.registerTool('plain', { inputSchema: z.object({}) }, () => ({ content: [] }));
      const smart = createSmartTools(server, {
        jobs,
        budgetMs: 5000,
        era: ctx.era,
        logger: { warn: (message) => warnings.push(message) },
      });
      smart.tool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({ text }));
      return server;
    });
    const http = await startV2HttpServer(handler);
    const client = new ClientV1({ name: 'sdk-v1-client', version: '1.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransportV1(http.url));
      expect(client.getServerCapabilities()?.tasks).toEqual({ list: {}, cancel: {} });
      expect(warnings.join('\n')).toContain('Call createSmartTools before any registerTool');
      const answer = await client.request(
        {
          method: 'tools/call',
          params: { name: 'echo', arguments: { text: 'late' }, task: { ttl: 1000 } },
        },
        CallToolResultSchema,
      );
      expect(answer).not.toHaveProperty('task');
      expect(answer.structuredContent).toEqual({ text: 'late' });
    } finally {
      await client.close();
      await http.close();
      await handler.close();
      await jobs.close({ graceMs: 0 });
    }
  });
});
