import { InvalidArgumentError } from '@sa/core';
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { resolveBudgetMs } from './budget-from-environment';
import { defaultMaxBufferedOutputBytes } from './output-sink';
import { routeToolCalls, serverState, statusToolName } from './server-state';
import { callSmartTool, type SmartToolDefinition } from './smart-tool-call';
import { buildInputSchema, buildOutputSchema, describeSmartTool } from './smart-tool-schemas';
import type { SmartToolConfig, SmartToolHandler, SmartToolOptions } from './smart-tool-types';
import { errorResult } from './tool-results';
import { z } from 'zod';

/**
 * Registers a tool that answers inline within its budget and otherwise becomes a persisted job,
 * returning a job handle; it adds `async_mode` and `job_label` to the input schema.
 *
 * @example
 * registerSmartTool(server, 'crunch', { inputSchema: { n: z.number() } },
 *   async ({ n }, { signal, reportProgress }) => crunch(n, { signal, reportProgress }),
 *   { jobs, budgetMs: 20_000 });
 */
export function registerSmartTool<
  InputShape extends z.ZodRawShape = Record<never, never>,
  OutputShape extends z.ZodRawShape | undefined = undefined,
>(
  server: McpServer,
  name: string,
  config: SmartToolConfig<InputShape, OutputShape>,
  handler: SmartToolHandler<InputShape, OutputShape>,
  options: SmartToolOptions<z.output<z.ZodObject<InputShape>>>,
): RegisteredTool {
  if (typeof handler !== 'function') {
    throw new InvalidArgumentError(`registerSmartTool(${name}): handler must be a function`);
  }
  if (typeof options !== 'object' || options === null || typeof options.jobs !== 'object') {
    throw new InvalidArgumentError(
      `registerSmartTool(${name}): options must include jobs (a job manager)`,
    );
  }
  const state = serverState(server);
  const budgetMs = resolveBudgetMs(options.budgetMs);
  const fallbackPrefix = options.jobToolsPrefix ?? '';
  const inputSchema = buildInputSchema(config.inputSchema ?? {});
  const outputShape: z.ZodRawShape | undefined = config.outputSchema;
  const describe = (): string =>
    describeSmartTool(config.description, budgetMs, statusToolName(state, fallbackPrefix));
  const registered = server.registerTool(
    name,
    {
      title: config.title,
      description: describe(),
      inputSchema: inputSchema.shape,
      ...(outputShape === undefined ? {} : { outputSchema: buildOutputSchema(outputShape).shape }),
      annotations: config.annotations,
      _meta: config._meta,
    },
    () => errorResult(new Error(`Tool ${name} is served by @sa/mcp's tools/call router`)),
  );
  const definition: SmartToolDefinition = {
    server,
    name,
    inputSchema,
    outputSchema: outputShape === undefined ? undefined : z.object(outputShape),
    handler: handler as SmartToolDefinition['handler'],
    jobs: options.jobs,
    budgetMs,
    label: options.label as SmartToolDefinition['label'],
    sharedJobs: options.sharedJobs ?? false,
    progressIntervalMs: options.progressIntervalMs ?? 100,
    maxBufferedOutputBytes: options.maxBufferedOutputBytes ?? defaultMaxBufferedOutputBytes,
    statusToolName: () => statusToolName(state, fallbackPrefix),
    warn: (message) => (options.logger ?? console).warn(message),
  };
  if (state.tasksEnabled) registered.execution = { taskSupport: 'optional' };
  state.smartTools.set(name, {
    registered,
    call: (request, extra) => callSmartTool(definition, request, extra),
    refreshDescription: () => {
      registered.description = describe();
    },
  });
  routeToolCalls(server, state);
  return registered;
}
