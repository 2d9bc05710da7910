import type { JobManager } from '@sa/jobs';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { JobToolsOptions } from '../smart-call';
import type { JobTools } from './job-tools';
import { createSmartTools } from './smart-tools';

/**
 * Registers `<prefix>job_status`, `<prefix>list_jobs`, `<prefix>cancel_job` and
 * `<prefix>prune_jobs` over a job manager; with `tasks: true` also serves native MCP tasks.
 * The same as `createSmartTools(server, { jobs }).jobTools(options)`.
 *
 * @example
 * registerJobTools(server, jobs, { prefix: 'py_', tasks: true });
 */
export function registerJobTools(
  server: McpServer,
  jobs: JobManager,
  options: JobToolsOptions = {},
): JobTools {
  return createSmartTools(server, { jobs }).jobTools(options);
}
