import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSmartTools } from './smart-tools';
import { connectInMemory, type InMemoryPair } from './test-support/in-memory-pair';
import { createTestServer, type TestServer } from './test-support/create-test-server';

let setup: TestServer;
let pair: InMemoryPair | undefined;

afterEach(async () => {
  await pair?.close();
  pair = undefined;
  await setup.close();
});

function structured(result: unknown): Record<string, unknown> {
  return (result as CallToolResult).structuredContent as Record<string, unknown>;
}

describe('createSmartTools', () => {
  it('binds the shared options once: every tool gets the budget, overrides apply per tool, job tools share the manager', async () => {
    setup = createTestServer();
    const smart = createSmartTools(setup.server, { jobs: setup.jobs, budgetMs: 30_000 });
    smart.tool('double', { inputSchema: { n: z.number() } }, ({ n }) => n * 2);
    smart.tool('later', {}, () => new Promise<string>(() => {}), {
      budgetMs: 0,
      label: 'a label',
    });
    smart.jobTools({ prefix: 'py_' });
    setup.server.registerTool('plain', {}, () => ({ content: [{ type: 'text', text: 'plain' }] }));
    pair = await connectInMemory(setup.server);
    const { tools } = await pair.client.listTools();
    const description = (name: string) => tools.find((tool) => tool.name === name)!.description;
    expect(description('double')).toContain('longer than 30 s');
    expect(description('double')).toContain('call py_job_status');
    expect(description('later')).toContain('longer than 0 s');

    expect(
      structured(await pair.client.callTool({ name: 'double', arguments: { n: 21 } })),
    ).toEqual({ result: 42 });
    const handle = structured(await pair.client.callTool({ name: 'later', arguments: {} }));
    expect(handle).toMatchObject({ smart_async: true, label: 'a label' });
    const status = structured(
      await pair.client.callTool({
        name: 'py_job_status',
        arguments: { job_id: handle['job_id'] },
      }),
    );
    expect(status['job']).toMatchObject({ job_id: handle['job_id'], tool: 'later' });
    // A tool registered with McpServer directly still reaches McpServer's own handler.
    expect(await pair.client.callTool({ name: 'plain', arguments: {} })).toMatchObject({
      content: [{ type: 'text', text: 'plain' }],
    });
  });

  it('two objects on one server share one router: job tools registered through one rename the status tool both point to', async () => {
    setup = createTestServer();
    const first = createSmartTools(setup.server, { jobs: setup.jobs });
    const second = createSmartTools(setup.server, { jobs: setup.jobs, budgetMs: 5000 });
    first.tool('a', {}, () => 'a');
    second.tool('b', {}, () => 'b');
    second.jobTools({ prefix: 'x_' });
    pair = await connectInMemory(setup.server);
    const { tools } = await pair.client.listTools();
    for (const name of ['a', 'b']) {
      expect(tools.find((tool) => tool.name === name)!.description).toContain('call x_job_status');
      expect(structured(await pair.client.callTool({ name, arguments: {} }))).toEqual({
        result: name,
      });
    }
  });

  it('refuses options without a job manager, naming the field', () => {
    setup = createTestServer();
    expect(() => createSmartTools(setup.server, {} as never)).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        data: { field: 'jobs' },
      }) as unknown,
    );
  });
});
