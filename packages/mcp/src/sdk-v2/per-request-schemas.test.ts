import { createJobManager, createMemoryJobStore, type JobManager } from '@sa/jobs';
import { McpServer, createMcpHandler, type RegisteredTool } from '@modelcontextprotocol/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSmartTools } from './create-smart-tools';
import { rawRequest, startV2HttpServer, type V2HttpServer } from './test-support/v2-http';

// createMcpHandler builds a server per request: a shape defined outside the factory is built
// and converted once, a shape written inline is built per request (and still answers alike).

const target = { target: 'draft-2020-12' } as const;
const hoisted = { n: z.number() };

describe('smart tool schemas across per-request servers', () => {
  let jobs: JobManager;
  let http: V2HttpServer;
  const registered: { hoisted: RegisteredTool; inline: RegisteredTool }[] = [];

  beforeEach(async () => {
    jobs = createJobManager({ store: createMemoryJobStore() });
    const handler = createMcpHandler((ctx) => {
      const server = new McpServer({ name: 'schemas', version: '1.0.0' });
      const smart = createSmartTools(server, { jobs, budgetMs: 5000, era: ctx.era });
      registered.push({
        hoisted: smart.tool('hoisted', { inputSchema: hoisted }, ({ n }) => ({ n })),
        inline: smart.tool('inline', { inputSchema: { n: z.number() } }, ({ n }) => ({ n })),
      });
      return server;
    });
    http = await startV2HttpServer(handler);
  });
  afterEach(async () => {
    registered.length = 0;
    await http.close();
    await jobs.close({ graceMs: 0 });
  });

  const call = async (name: string, args: Record<string, unknown>) => {
    const answer = await rawRequest(http.url, 'tools/call', { name, arguments: args }, { name });
    if (answer.kind !== 'result') throw new Error(JSON.stringify(answer));
    return answer.result;
  };

  it('two requests share the hoisted shape’s schema and its JSON Schema; an inline shape gets a fresh one', async () => {
    const first = await call('hoisted', { n: 1 });
    const second = await call('hoisted', { n: 2 });
    expect(first['structuredContent']).toEqual({ n: 1 });
    expect(second['structuredContent']).toEqual({ n: 2 });
    expect(registered).toHaveLength(2);
    const [one, two] = registered as [(typeof registered)[0], (typeof registered)[0]];
    expect(two.hoisted.inputSchema).toBe(one.hoisted.inputSchema);
    expect(two.inline.inputSchema).not.toBe(one.inline.inputSchema);

    const json = (tool: RegisteredTool) => tool.inputSchema!['~standard'].jsonSchema.input(target);
    // Converted once: the same property schema object comes back on the next request.
    const properties = (tool: RegisteredTool) =>
      json(tool)['properties'] as Record<string, unknown>;
    expect(properties(two.hoisted)['n']).toBe(properties(one.hoisted)['n']);
    expect(properties(two.inline)['n']).not.toBe(properties(one.inline)['n']);
    // Either way, the advertised schema is the handler's shape plus the smart parameters.
    for (const tool of [one.hoisted, two.hoisted, one.inline, two.inline]) {
      expect(json(tool)).toMatchObject({
        type: 'object',
        properties: {
          n: { type: 'number' },
          async_mode: { type: 'boolean', default: false },
          job_label: { type: 'string', maxLength: 200 },
        },
        required: ['n'],
        additionalProperties: false,
      });
    }
  });

  it('bad arguments are refused alike on every request, hoisted or inline', async () => {
    for (const name of ['hoisted', 'hoisted', 'inline', 'inline']) {
      const answer = await call(name, { n: 'one' });
      expect(answer['isError']).toBe(true);
      expect(JSON.stringify(answer['content'])).toContain(
        `Invalid arguments for tool ${name}: n: Invalid input: expected number, received string`,
      );
    }
  });
});
