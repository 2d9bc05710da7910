import type { McpServer } from '@modelcontextprotocol/server';
import type { SmartToolContext, SmartTools } from '@sa/mcp/sdk-v2';
import { createSmartTools, scopeOf } from '@sa/mcp/sdk-v2';
import {
  inDirectoryShape,
  runSavedShape,
  sampleIntervalShape,
  timeoutShape,
  withDependenciesShape,
} from '../legacy/legacy-schemas';
import type { ExecuteOptions, PreparedRun, RunKind } from '../python/python-runner';
import { toRunScriptResult } from '../python/python-runner';
import type { ScriptRequest } from '../python/script-request';
import type { JsonValue } from '@sa/jobs';
import type { PythonRunnerServices } from '../services';

/** The job tools' prefix: `py_job_status`, `py_list_jobs`, `py_cancel_job`, `py_prune_jobs`. */
export const jobToolsPrefix = 'py_';

/**
 * Binds smart tools to the server (`@sa/mcp`'s SDK v2 adapter) over the server's job manager.
 * Call it before any tool is registered on the server: on the 2025 era that is what lets a
 * `tools/call` with `params.task` (VS Code) get a 2025-11-25 task.
 */
export function createV2SmartTools(
  server: McpServer,
  services: PythonRunnerServices,
  era: 'legacy' | 'modern',
): SmartTools {
  return createSmartTools(server, {
    jobs: services.jobs,
    budgetMs: services.config.inlineTimeoutSeconds * 1000,
    jobToolsPrefix,
    era,
    logger: { warn: (message: string) => services.logger.warn(message) },
  });
}

/**
 * Registers the `py_job_*` tools and the smart-async `_v2` tools: past the budget a 2026-07-28
 * request that declares the Tasks extension gets a task (`tasks/get`, `tasks/cancel`), every
 * other client a job handle; on the 2025 era a call with `params.task` gets a 2025-11-25 task
 * at once, and the 2025-11-25 task methods serve them all.
 */
export function registerV2Tools(smart: SmartTools, services: PythonRunnerServices): void {
  const { runner } = services;
  smart.jobTools();
  const smartOptions = <Input extends ScriptRequest>(label: (args: Input) => string) => ({
    label,
  });
  const run = async (
    tool: string,
    kind: RunKind,
    args: ScriptRequest,
    context: SmartToolContext,
    extra: Pick<ExecuteOptions, 'benchmark'> = {},
  ) => {
    services.assertOpen();
    const prepared: PreparedRun = await runner.prepare(kind, args);
    return services.runTracked(
      prepared,
      {
        ...extra,
        signal: context.signal,
        onProgress: (update) => context.reportProgress(update),
        onOutput: (stream, chunk) => context.appendOutput(stream, chunk),
      },
      // The job kept if this server goes away while the run is inline (under the supervisor).
      {
        tool,
        label: scriptLabel(args),
        input: JSON.parse(JSON.stringify(args)) as JsonValue,
        scope: scopeOf(context),
      },
    );
  };
  const scriptLabel = (args: ScriptRequest): string =>
    args.script_path ?? args.script_name ?? 'inline script';

  smart.tool(
    'py_run_script_in_dir_v2',
    {
      description:
        'Run a Python script (a file in directory, or inline content) with directory as working directory; returns stdout, stderr and exit_code. Print `::progress <current>/<total> [message]` lines to report progress.',
      inputSchema: { ...inDirectoryShape, ...timeoutShape },
    },
    async (args, context) =>
      toRunScriptResult(await run('py_run_script_in_dir_v2', 'in-directory', args, context)),
    smartOptions(scriptLabel),
  );

  smart.tool(
    'py_run_script_with_dependencies_v2',
    {
      description:
        'Run a Python script with dependencies (given, and parsed from its imports) installed in a cached environment (uv when installed).',
      inputSchema: { ...withDependenciesShape, ...timeoutShape },
    },
    async (args, context) => {
      const {
        wall_time_seconds: _wall,
        cpu_time_seconds: _cpu,
        peak_rss_mb: _rss,
        ...result
      } = await run('py_run_script_with_dependencies_v2', 'with-dependencies', args, context);
      return result;
    },
    smartOptions(scriptLabel),
  );

  smart.tool(
    'py_benchmark_script_v2',
    {
      description:
        'Run a script with dependencies and measure wall time, CPU time (user + system, children included) and peak memory (RSS of the process tree).',
      inputSchema: {
        ...withDependenciesShape,
        ...sampleIntervalShape,
        ...timeoutShape,
      },
    },
    (args, context) =>
      run('py_benchmark_script_v2', 'with-dependencies', args, context, {
        benchmark: { sampleIntervalMs: args.sample_interval * 1000 },
      }),
    smartOptions(scriptLabel),
  );

  smart.tool(
    'py_run_saved_script_v2',
    {
      description: 'Run a script saved with py_save_script (its PEP 723 dependencies installed).',
      inputSchema: { ...runSavedShape, ...timeoutShape },
    },
    async (args, context) =>
      toRunScriptResult(await run('py_run_saved_script_v2', 'saved', args, context)),
    smartOptions(scriptLabel),
  );
}
