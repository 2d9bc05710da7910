// A small MCP server over stdio for the stdio tests: jobs in a file store under JOBS_DIRECTORY,
// budget from SMART_ASYNC_TIMEOUT_SECONDS. Run with --conditions=@sa/source --import tsx.
import { setTimeout as sleep } from 'node:timers/promises';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createFileJobStore, createJobManager } from '@sa/jobs';
import { z } from 'zod';
import { registerJobTools, registerSmartTool } from '../index';

const directory = process.env['JOBS_DIRECTORY'];
if (directory === undefined) throw new Error('JOBS_DIRECTORY is required');
const jobs = createJobManager({ store: createFileJobStore({ directory }) });
const server = new McpServer({ name: 'stdio-test', version: '1.0.0' });

registerSmartTool(
  server,
  'sleep',
  { inputSchema: { ms: z.number().int().min(0) }, outputSchema: { slept: z.number() } },
  async ({ ms }, { signal, appendOutput, reportProgress }) => {
    appendOutput('stdout', `sleeping ${ms} ms\n`);
    reportProgress({ progress: 0, total: ms });
    await sleep(ms, undefined, { signal });
    appendOutput('stdout', 'awake\n');
    return { slept: ms };
  },
  { jobs },
);
registerJobTools(server, jobs, { prefix: 'py_', tasks: true });

await server.connect(new StdioServerTransport());
process.stdin.on('close', () => {
  void jobs.close({ graceMs: 0 }).finally(() => process.exit(0));
});
