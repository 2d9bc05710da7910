// The README's SDK v2 example, type-checked with the package and run by readme-example.test.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { createFileJobStore, createJobManager } from '@sa/jobs';
import { createSmartTools } from '@sa/mcp/sdk-v2';
import { z } from 'zod';

const jobs = createJobManager({ store: createFileJobStore({ directory: './jobs' }) });

// One factory serves both eras: 2026-07-28 requests (a fresh server each) and 2025 sessions.
serveStdio((ctx) => {
  const server = new McpServer({ name: 'crunch', version: '1.0.0' });
  const smart = createSmartTools(server, {
    jobs,
    budgetMs: 20_000,
    era: ctx.era,
    jobToolsPrefix: 'crunch_',
  });
  smart.tool(
    'crunch',
    {
      description: 'Crunches numbers.',
      inputSchema: { steps: z.number().int().min(1) },
      outputSchema: { total: z.number() },
    },
    async ({ steps }, { signal, reportProgress, appendOutput }) => {
      for (let step = 1; step <= steps; step++) {
        await sleep(1000, undefined, { signal }); // stops when cancelled
        reportProgress({ progress: step, total: steps, message: 'crunching' });
        appendOutput('stdout', `step ${step}\n`);
      }
      return { total: steps };
    },
  );
  smart.jobTools();
  return server;
});
