import type { JobManager } from '@sa/jobs';
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  defineJobTools,
  resolveJobToolsOptions,
  type JobToolDefinition,
  type JobToolsOptions,
} from '../smart-call';
import { registerRoutedTool } from './register-routed-tool';
import { callerOf, requestProgressSender } from './request-extra';
import { serveTasks } from './task-handlers';
import { toolRouterOf, type ToolRouter } from './tool-router';

/** The tools `registerJobTools` registers. */
export interface JobTools {
  status: RegisteredTool;
  list: RegisteredTool;
  cancel: RegisteredTool;
  prune: RegisteredTool;
}

/** Registers the four job tools (routed: bad input is an `isError` result in this package's style). */
export function registerJobToolsOn(
  server: McpServer,
  jobs: JobManager,
  options: JobToolsOptions,
): JobTools {
  const resolved = resolveJobToolsOptions(options);
  const definitions = defineJobTools(jobs, resolved);
  const status = registerRoutedTool(server, definitions.status.name, configOf(definitions.status));
  const router = toolRouterOf(server);
  const tools: JobTools = {
    status: route(router, status, definitions.status),
    list: route(
      router,
      registerRoutedTool(server, definitions.list.name, configOf(definitions.list)),
      definitions.list,
    ),
    cancel: route(
      router,
      registerRoutedTool(server, definitions.cancel.name, configOf(definitions.cancel)),
      definitions.cancel,
    ),
    prune: route(
      router,
      registerRoutedTool(server, definitions.prune.name, configOf(definitions.prune)),
      definitions.prune,
    ),
  };
  if (options.tasks === true) serveTasks(server, jobs, resolved, router);
  router.jobToolsPrefix = resolved.prefix;
  for (const tool of router.tools.values()) tool.refreshDescription();
  return tools;
}

function configOf(definition: JobToolDefinition) {
  return {
    title: definition.title,
    description: definition.description,
    inputSchema: definition.inputSchema,
    annotations: definition.annotations,
  };
}

function route(
  router: ToolRouter,
  registered: RegisteredTool,
  definition: JobToolDefinition,
): RegisteredTool {
  router.tools.set(definition.name, {
    registered,
    smart: false,
    call: (request, extra) => {
      const onProgress = requestProgressSender(extra, () => {});
      return definition.call(request.params.arguments, {
        caller: callerOf(extra),
        signal: extra.signal,
        ...(onProgress === undefined ? {} : { onProgress }),
      });
    },
    refreshDescription: () => {},
  });
  return registered;
}
