import type { JobManager } from '@sa/jobs';
import type { McpServer, RegisteredTool, ServerContext } from '@modelcontextprotocol/server';
import {
  defineJobTools,
  resolveJobToolsOptions,
  type JobToolDefinition,
  type JobToolsOptions,
} from '../smart-call';
import { callerOf } from './caller';
import { advertisedOnly } from './standard-schemas';

/** The tools `smart.jobTools()` registers. */
export interface JobTools {
  status: RegisteredTool;
  list: RegisteredTool;
  cancel: RegisteredTool;
  prune: RegisteredTool;
}

/**
 * Registers the core's job tools (`<prefix>job_status` with long-poll and settle window,
 * `list_jobs`, `cancel_job`, `prune_jobs`) on an SDK v2 server: the tools a job handle names,
 * for clients that get handles (the 2025 era, and 2026 without the Tasks extension).
 */
export function registerJobToolsV2(
  server: McpServer,
  jobs: JobManager,
  options: JobToolsOptions,
): JobTools {
  const definitions = defineJobTools(jobs, resolveJobToolsOptions(options));
  return {
    status: register(server, definitions.status),
    list: register(server, definitions.list),
    cancel: register(server, definitions.cancel),
    prune: register(server, definitions.prune),
  };
}

function register(server: McpServer, definition: JobToolDefinition): RegisteredTool {
  return server.registerTool(
    definition.name,
    {
      title: definition.title,
      description: definition.description,
      inputSchema: advertisedOnly(definition.inputSchema),
      annotations: definition.annotations,
    },
    async (args: unknown, ctx: ServerContext) => {
      const progressToken = ctx.mcpReq._meta?.progressToken;
      const result = await definition.call(args, {
        caller: callerOf(ctx),
        signal: ctx.mcpReq.signal,
        ...(progressToken === undefined
          ? {}
          : {
              onProgress: (update) => {
                if (ctx.mcpReq.signal.aborted) return;
                void ctx.mcpReq
                  .notify({
                    method: 'notifications/progress',
                    params: { progressToken, ...update },
                  })
                  .catch(() => undefined);
              },
            }),
      });
      return result;
    },
  );
}
