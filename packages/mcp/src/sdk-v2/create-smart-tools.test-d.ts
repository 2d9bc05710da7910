import { McpServer, type AuthInfo } from '@modelcontextprotocol/server';
import type { JobManager } from '@sa/jobs';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { CallerAuthInfo, SmartToolContext } from '../smart-call';
import { createSmartTools } from './index';

declare const jobs: JobManager;
const smart = createSmartTools(new McpServer({ name: 'types', version: '1.0.0' }), { jobs });

describe('createSmartTools (SDK v2) types', () => {
  it('types the handler arguments from the input shape, and the context as the core does', () => {
    smart.tool(
      'typed',
      { inputSchema: { count: z.number(), name: z.string().optional() } },
      (args, context) => {
        expectTypeOf(args).toEqualTypeOf<{ count: number; name?: string | undefined }>();
        expectTypeOf(context).toEqualTypeOf<SmartToolContext>();
        return args.count;
      },
      { label: (args) => `count ${args.count}` },
    );
  });

  it('requires the result to match the output shape', () => {
    smart.tool('output', { outputSchema: { total: z.number() } }, () => ({ total: 1 }));
    // @ts-expect-error the result misses `total`
    smart.tool('wrong', { outputSchema: { total: z.number() } }, () => ({ count: 1 }));
  });

  it("SDK v2's AuthInfo fits the core's caller auth info", () => {
    expectTypeOf<AuthInfo>().toExtend<CallerAuthInfo>();
  });
});
