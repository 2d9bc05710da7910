import type { JobManager } from '@sa/jobs';
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  registerCancelJobTool,
  registerListJobsTool,
  registerPruneJobsTool,
} from './job-admin-tools';
import { registerJobStatusTool } from './job-status-tool';
import { resolveJobToolsOptions, type JobToolsOptions } from './job-tools-types';
import { serverState } from './server-state';
import { serveTasks } from './task-handlers';

/** The tools `registerJobTools` registers. */
export interface JobTools {
  status: RegisteredTool;
  list: RegisteredTool;
  cancel: RegisteredTool;
  prune: RegisteredTool;
}

/**
 * Registers `<prefix>job_status`, `<prefix>list_jobs`, `<prefix>cancel_job` and
 * `<prefix>prune_jobs` over a job manager; with `tasks: true` also serves native MCP tasks.
 *
 * @example
 * registerJobTools(server, jobs, { prefix: 'py_', tasks: true });
 */
export function registerJobTools(
  server: McpServer,
  jobs: JobManager,
  options: JobToolsOptions = {},
): JobTools {
  const resolved = resolveJobToolsOptions(options);
  const tools: JobTools = {
    status: registerJobStatusTool(server, jobs, resolved),
    list: registerListJobsTool(server, jobs, resolved),
    cancel: registerCancelJobTool(server, jobs, resolved),
    prune: registerPruneJobsTool(server, jobs, resolved),
  };
  if (options.tasks === true) serveTasks(server, jobs, resolved);
  const state = serverState(server);
  state.jobToolsPrefix = resolved.prefix;
  for (const entry of state.smartTools.values()) entry.refreshDescription();
  return tools;
}
