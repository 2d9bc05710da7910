import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import {
  createTaskSessionFromClient,
  resultFromTaskOutcome,
  type RawClientDispatch,
  type TaskEnabledSession,
} from '@modelcontextprotocol/ext-tasks/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  GetTaskResultSchema,
  ListTasksResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../test-support/deferred';
import { postJsonRpc } from './test-support/v2-http';
import { startV2TestServer, type V2TestServer } from './test-support/v2-server';

// Clients nobody here wrote: the ext-tasks client (2026-07-28 tasks), the SDK v2 client
// (ordinary calls), the SDK v1 client (2025 era).

let requestId = 1;

/** ext-tasks' rawDispatch as a host would write it: one fetch POST per request, with the MCP headers. */
function fetchDispatch(url: URL): RawClientDispatch {
  return async (request, options) => {
    const message: Record<string, unknown> = {
      jsonrpc: '2.0',
      id: `raw-${requestId++}`,
      ...(request as Record<string, unknown>),
    };
    const method = message['method'] as string;
    const params = (message['params'] ?? {}) as Record<string, unknown>;
    const name = method === 'tools/call' ? params['name'] : params['taskId'];
    const answer = await postJsonRpc(
      url,
      message,
      {
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': method,
        ...(typeof name === 'string' ? { 'mcp-name': name } : {}),
      },
      options?.signal,
    );
    return answer.kind === 'result'
      ? { kind: 'result', result: answer.result as never }
      : { kind: 'error', error: answer.error as never };
  };
}

async function connectV2(url: URL): Promise<Client> {
  const client = new Client(
    { name: 'sdk-v2-client', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(new StreamableHTTPClientTransport(url));
  return client;
}

describe('ext-tasks 0.2.2 client against a v2 server over Streamable HTTP', () => {
  let server: V2TestServer;
  let session: TaskEnabledSession;
  beforeEach(async () => {
    server = await startV2TestServer();
    const client = await connectV2(server.url);
    session = createTaskSessionFromClient(client, {
      endpointId: 'v2-test',
      rawDispatch: fetchDispatch(server.url),
      v2RequestFraming: {
        protocolVersion: '2026-07-28',
        clientInfo: { name: 'ext-tasks-test', version: '1.0.0' },
        clientCapabilities: {},
      },
    });
  });
  afterEach(async () => {
    await session.close();
    await server.close();
  });

  it('sees the extension, and a fast call settles inline', async () => {
    expect(session.capabilities.execution).toBe(true);
    const execution = await session.callTool('echo', { text: 'hi' });
    expect(execution.kind).toBe('immediate');
    const { outcome } = await execution.settle();
    expect(resultFromTaskOutcome(outcome)).toMatchObject({ structuredContent: { text: 'hi' } });
  });

  it('a slow call becomes a task and settles with the right result', async () => {
    const execution = await session.callTool('slow', { key: 'x' });
    expect(execution.kind).toBe('task');
    const settled = execution.settle();
    await waitUntil(() => server.signals.has('x'));
    server.gate('x').resolve();
    const { outcome } = await settled;
    expect(outcome.status).toBe('completed');
    expect(resultFromTaskOutcome(outcome)).toMatchObject({
      structuredContent: { done: 'x' },
      content: [{ type: 'text', text: '{"done":"x"}' }],
    });
  });

  it('a cancel stops the work', async () => {
    const execution = await session.callTool('slow', { key: 'y' });
    expect(execution.kind).toBe('task');
    await execution.cancel();
    await waitUntil(() => server.signals.get('y')?.aborted === true);
    if (execution.kind !== 'task') throw new Error('expected a task');
    const view = await session.task(execution.handle.taskId).snapshot();
    expect(view.status).toBe('cancelled');
  });
});

describe('SDK v2 client (2026-07-28, no Tasks extension)', () => {
  let server: V2TestServer;
  let client: Client;
  beforeEach(async () => {
    server = await startV2TestServer();
    client = await connectV2(server.url);
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('calls a smart tool inline, and lists the tools with async_mode and the output schema', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { text: 'v2' } });
    expect(result.structuredContent).toEqual({ text: 'v2' });
    const { tools } = await client.listTools();
    const typed = tools.find((tool) => tool.name === 'typed');
    expect(typed?.outputSchema).toBeDefined();
    expect(
      Object.keys(tools.find((tool) => tool.name === 'slow')?.inputSchema.properties ?? {}),
    ).toContain('async_mode');
  });

  it('gets a job handle past the budget, and follows it with job_status', async () => {
    const handle = await client.callTool({ name: 'slow', arguments: { key: 'z' } });
    const structured = handle.structuredContent as { job_id: string; status: string };
    expect(structured.status).toBe('running');
    server.gate('z').resolve();
    const status = await client.callTool({
      name: 'job_status',
      arguments: { job_id: structured.job_id, wait_seconds: 20 },
    });
    expect(JSON.stringify(status.structuredContent)).toContain('"status":"completed"');
  });
});

describe('SDK v1 client (2025 era) against the same v2 server', () => {
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

  it('gets ordinary results inline and a job handle past the budget, never a 2026 task', async () => {
    const inline = await client.callTool({ name: 'echo', arguments: { text: 'old' } });
    expect(inline.structuredContent).toEqual({ text: 'old' });
    const handle = await client.callTool({ name: 'slow', arguments: { key: 'v1' } });
    expect(handle).not.toHaveProperty('resultType');
    expect(handle.structuredContent).toMatchObject({ status: 'running', smart_async: true });
    server.gate('v1').resolve();
  });

  it('async_mode: true answers a handle at once', async () => {
    const handle = await client.callTool({
      name: 'slow',
      arguments: { key: 'v1a', async_mode: true },
    });
    expect(['pending', 'running']).toContain(
      (handle.structuredContent as { status: string }).status,
    );
    server.gate('v1a').resolve();
  });

  it('the 2025-11-25 tasks/get, tasks/result, tasks/list and tasks/cancel serve the job behind a handle', async () => {
    const handle = await client.callTool({ name: 'slow', arguments: { key: 'v1t' } });
    const jobId = (handle.structuredContent as { job_id: string }).job_id;
    const task = await client.request(
      { method: 'tasks/get', params: { taskId: jobId } },
      GetTaskResultSchema,
    );
    expect(task).toMatchObject({ taskId: jobId, status: 'working', pollInterval: 1000 });
    const listed = await client.request(
      { method: 'tasks/list', params: {} },
      ListTasksResultSchema,
    );
    expect(listed.tasks.map((entry) => entry.taskId)).toContain(jobId);
    const result = client.request(
      { method: 'tasks/result', params: { taskId: jobId } },
      CallToolResultSchema,
    );
    server.gate('v1t').resolve();
    expect((await result).structuredContent).toEqual({ done: 'v1t' });

    const other = await client.callTool({ name: 'slow', arguments: { key: 'v1c' } });
    const otherId = (other.structuredContent as { job_id: string }).job_id;
    const cancelled = await client.request(
      { method: 'tasks/cancel', params: { taskId: otherId } },
      GetTaskResultSchema,
    );
    expect(cancelled.status).toBe('cancelled');
    await waitUntil(() => server.signals.get('v1c')?.aborted === true);
    await expect(
      client.request(
        { method: 'tasks/get', params: { taskId: 'AAAAAAAAAAAAAAAAAAAAAA' } },
        GetTaskResultSchema,
      ),
    ).rejects.toMatchObject({ code: -32602 });
  });
});
