import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { JobManager } from '@sa/jobs';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { registerSmartTool } from './register-smart-tool';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { RequestExtra } from './request-extra';
import type { CallerAuthInfo, ScopeSource, SmartToolContext } from '../smart-call';
import { createSmartTools } from './smart-tools';

declare const jobs: JobManager;
const server = new McpServer({ name: 'types', version: '1.0.0' });

describe('registerSmartTool types', () => {
  it('types the handler arguments from the input shape and the context', () => {
    registerSmartTool(
      server,
      'typed',
      { inputSchema: { count: z.number(), name: z.string().optional() } },
      (args, context) => {
        expectTypeOf(args).toEqualTypeOf<{ count: number; name?: string | undefined }>();
        expectTypeOf(context).toEqualTypeOf<SmartToolContext>();
        return args.count;
      },
      { jobs, label: (args) => `count ${args.count}` },
    );
  });

  it('requires the result to match the output shape', () => {
    registerSmartTool(
      server,
      'output',
      { outputSchema: { total: z.number() } },
      () => ({ total: 1 }),
      { jobs },
    );
    registerSmartTool(
      server,
      'wrong',
      { outputSchema: { total: z.number() } },
      // @ts-expect-error the result must have a numeric total
      () => ({ total: 'one' }),
      { jobs },
    );
  });

  it('keeps the SDK v1 AuthInfo and request extras usable where the SDK-free core takes them', () => {
    expectTypeOf<AuthInfo>().toExtend<CallerAuthInfo>();
    expectTypeOf<CallerAuthInfo>().toExtend<AuthInfo>();
    expectTypeOf<RequestExtra>().toExtend<ScopeSource>();
  });

  it('types createSmartTools tools like registerSmartTool, with per-tool overrides', () => {
    const smart = createSmartTools(server, { jobs });
    smart.tool(
      'typed',
      { inputSchema: { count: z.number() } },
      (args) => {
        expectTypeOf(args).toEqualTypeOf<{ count: number }>();
        return args.count;
      },
      { label: (args) => `count ${args.count}` },
    );
    // @ts-expect-error the result must have a numeric total
    smart.tool('wrong', { outputSchema: { total: z.number() } }, () => ({ total: 'one' }));
  });
});
