import { McpServer, createMcpHandler, type ServerContext } from '@modelcontextprotocol/server';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { exemptFromOutputValidation } from './output-schema-seam';
import { interceptToolCallTasks } from './tool-call-task-seam';
import { rawRequest, tasksExtension } from './test-support/v2-http';
import { startV2HttpServer, type V2HttpServer } from './test-support/v2-http';

// What this adapter relies on in SDK 2.4's public behaviour, and what blocks push. Each test
// fails loudly when the SDK changes, so the adapter (or the README's evidence) is revisited.

const task = () => ({
  resultType: 'task' as const,
  taskId: 'seam-task',
  status: 'working' as const,
  createdAt: new Date(0).toISOString(),
  lastUpdatedAt: new Date(0).toISOString(),
  ttlMs: null,
});

describe('SDK 2.4 seams', () => {
  let http: V2HttpServer | undefined;
  afterEach(async () => {
    await http?.close();
  });

  async function serve(register: (server: McpServer) => void): Promise<URL> {
    const handler = createMcpHandler(() => {
      const server = new McpServer({ name: 'seams', version: '1.0.0' });
      server.server.registerCapabilities({ extensions: { [tasksExtension]: {} } });
      register(server);
      return server;
    });
    http = await startV2HttpServer(handler);
    return http.url;
  }

  it('a tool with an outputSchema fails output validation when it returns a plain task; the non-enumerable mark passes it, unseen', async () => {
    const url = await serve((server) => {
      server.registerTool(
        'plain',
        { outputSchema: z.object({ n: z.number() }) },
        () => task() as never,
      );
      server.registerTool(
        'marked',
        { outputSchema: z.object({ n: z.number() }) },
        () => exemptFromOutputValidation(task()) as never,
      );
    });
    const plain = await rawRequest(
      url,
      'tools/call',
      { name: 'plain', arguments: {} },
      { name: 'plain' },
    );
    expect(plain.kind === 'result' && plain.result['isError']).toBe(true);
    const marked = await rawRequest(
      url,
      'tools/call',
      { name: 'marked', arguments: {} },
      { name: 'marked' },
    );
    expect(marked.kind).toBe('result');
    if (marked.kind !== 'result') return;
    expect(marked.result).toMatchObject({ resultType: 'task', taskId: 'seam-task' });
    expect(marked.result).not.toHaveProperty('isError');
  });

  it("McpServer installs tools/call through the instance's public setRequestHandler on the first registerTool, and hands the tool callback the handler's ctx", async () => {
    const installs: string[] = [];
    const seen: { task: unknown; same: boolean }[] = [];
    const handler = createMcpHandler(() => {
      const server = new McpServer({ name: 'seams', version: '1.0.0' });
      const original = server.server.setRequestHandler.bind(server.server) as unknown as (
        method: string,
        ...rest: unknown[]
      ) => void;
      let handlerContext: ServerContext | undefined;
      const recording = (method: string, ...rest: unknown[]): void => {
        installs.push(method);
        if (method !== 'tools/call') {
          original(method, ...rest);
          return;
        }
        const [inner] = rest as [(request: unknown, ctx: ServerContext) => unknown];
        original(method, (request: unknown, ctx: ServerContext) => {
          handlerContext = ctx;
          return inner(request, ctx);
        });
      };
      server.server.setRequestHandler = recording;
      const taskOf = interceptToolCallTasks(server);
      expect(taskOf).toBeDefined();
      server.registerTool('probe', { inputSchema: z.object({}) }, (_args, ctx) => {
        seen.push({ task: taskOf?.(ctx), same: ctx === handlerContext });
        return { content: [] };
      });
      // Installed now: a seam built after a registerTool cannot see tools/call.
      expect(() => server.server.assertCanSetRequestHandler('tools/call')).toThrow();
      expect(interceptToolCallTasks(server)).toBeUndefined();
      return server;
    });
    http = await startV2HttpServer(handler);
    const client = new ClientV1({ name: 'seams-v1', version: '1.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransportV1(http.url));
      await client.request(
        { method: 'tools/call', params: { name: 'probe', arguments: {}, task: { ttl: 5 } } },
        CallToolResultSchema,
      );
      await client.callTool({ name: 'probe', arguments: {} });
    } finally {
      await client.close();
      await handler.close();
    }
    expect(installs).toContain('tools/call');
    expect(seen).toEqual([
      { task: { ttl: 5 }, same: true },
      { task: undefined, same: true },
    ]);
  });

  it('push is blocked: subscriptions/listen is answered by createMcpHandler itself and drops a taskIds filter', async () => {
    const url = await serve(() => undefined);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'subscriptions/listen',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'subscriptions/listen',
        params: {
          notifications: { taskIds: ['seam-task'] },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': { extensions: { [tasksExtension]: {} } },
          },
        },
      }),
    });
    const text = await response.text();
    const acknowledged = text
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map(
        (line) =>
          JSON.parse(line.slice(5)) as { method?: string; params?: { notifications?: unknown } },
      )
      .find((message) => message.method === 'notifications/subscriptions/acknowledged');
    // The SDK's SubscriptionFilter knows only list-changed and resource filters: taskIds is not honoured.
    expect(acknowledged?.params?.notifications).toEqual({});
  });
});
