import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createJobManager, type JobManager } from '@sa/jobs';
import { createRedisJobStore, type RedisJobStore } from '@sa/jobs/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmartTools } from './smart-tools';
import { connectInMemory, type InMemoryPair } from './test-support/in-memory-pair';
import { createTcpProxy, type TcpProxy } from '@sa/jobs/testing';

// A store outage is reported as what it is: STORE_UNAVAILABLE, a server error (-32603) on
// protocol methods, never the caller's mistake (-32602 InvalidParams).
let proxy: TcpProxy;
let store: RedisJobStore;
let jobs: JobManager;
let pair: InMemoryPair;

beforeAll(async () => {
  proxy = await createTcpProxy({ host: '127.0.0.1', port: 6379 });
  store = await createRedisJobStore({
    url: `redis://127.0.0.1:${String(proxy.port)}`,
    prefix: `sa:mcp-outage:${String(process.pid)}:`,
    connectTimeoutMs: 1000,
    commandTimeoutMs: 1000,
    logger: { warn: () => {} },
  });
  jobs = createJobManager({ store, logger: { warn: () => {} } });
  const server = new McpServer({ name: 'outage', version: '1.0.0' });
  createSmartTools(server, { jobs }).jobTools({ tasks: true });
  pair = await connectInMemory(server);
  proxy.cut();
});

afterAll(async () => {
  await pair.close();
  await jobs.close({ graceMs: 0 });
  await store.close();
  await proxy.close();
});

describe('a store outage', () => {
  it('answers tasks/list with -32603 and the STORE_UNAVAILABLE code, not InvalidParams', async () => {
    const error = await pair.client.experimental.tasks.listTasks().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InternalError);
    expect((error as McpError).message).toContain('STORE_UNAVAILABLE');
  });

  it('answers tasks/get with -32603 too (the task may well exist)', async () => {
    const error = await pair.client.experimental.tasks.getTask('a'.repeat(32)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect((error as McpError).code).toBe(ErrorCode.InternalError);
    expect((error as McpError).message).toContain('STORE_UNAVAILABLE');
  });

  it('answers a job tool with an isError result naming STORE_UNAVAILABLE', async () => {
    const result = (await pair.client.callTool({
      name: 'list_jobs',
      arguments: {},
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(result.content[0]).toMatchObject({
      text: expect.stringMatching(/^STORE_UNAVAILABLE: /) as unknown,
    });
  });
});
