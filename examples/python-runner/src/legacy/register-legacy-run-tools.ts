import type { McpServer } from '@modelcontextprotocol/server';
import { toRunScriptResult } from '../python/python-runner';
import { listScripts, saveScript } from '../python/saved-scripts';
import type { PythonRunnerServices } from '../services';
import { toolCall } from '../tool-result';
import { deprecated } from './deprecation';
import {
  inDirectoryShape,
  runSavedShape,
  sampleIntervalShape,
  saveScriptShape,
  strictInput,
  timeoutShape,
  withDependenciesShape,
} from './legacy-schemas';

/** Registers the legacy tools that answer inline: run, run with dependencies, benchmark, saved scripts. */
export function registerLegacyRunTools(server: McpServer, services: PythonRunnerServices): void {
  const { runner } = services;

  server.registerTool(
    'py_run_script_in_dir',
    {
      description: deprecated(
        'Run a Python script (a file in directory, or inline content) with directory as working directory and return stdout, stderr and exit_code.',
        'py_run_script_in_dir_v2',
      ),
      inputSchema: strictInput({ ...inDirectoryShape, ...timeoutShape }),
    },
    (args, extra) =>
      toolCall(async () => {
        services.assertOpen();
        const prepared = await runner.prepare('in-directory', args);
        return toRunScriptResult(await services.runInline(prepared, extra));
      }),
  );

  server.registerTool(
    'py_run_script_with_dependencies',
    {
      description: deprecated(
        'Run a Python script with dependencies (given, and parsed from its imports) installed in a cached environment.',
        'py_run_script_with_dependencies_v2',
      ),
      inputSchema: strictInput({ ...withDependenciesShape, ...timeoutShape }),
    },
    (args, extra) =>
      toolCall(async () => {
        services.assertOpen();
        const prepared = await runner.prepare('with-dependencies', args);
        const {
          wall_time_seconds: _wall,
          cpu_time_seconds: _cpu,
          peak_rss_mb: _rss,
          ...result
        } = await services.runInline(prepared, extra);
        return result;
      }),
  );

  server.registerTool(
    'py_benchmark_script',
    {
      description: deprecated(
        'Run a script with dependencies and measure wall time, CPU time (user + system, children included) and peak memory.',
        'py_benchmark_script_v2',
      ),
      inputSchema: strictInput({
        ...withDependenciesShape,
        ...sampleIntervalShape,
        ...timeoutShape,
      }),
    },
    (args, extra) =>
      toolCall(async () => {
        services.assertOpen();
        const prepared = await runner.prepare('with-dependencies', args);
        return services.runInline(prepared, extra, {
          benchmark: { sampleIntervalMs: args.sample_interval * 1000 },
        });
      }),
  );

  server.registerTool(
    'py_save_script',
    {
      description:
        'Save a script under the data directory (scripts/<name>.py) with a PEP 723 header of its dependencies. Not deprecated; run saved scripts with py_run_saved_script_v2.',
      inputSchema: strictInput(saveScriptShape),
    },
    (args) =>
      toolCall(() =>
        saveScript({
          scriptsDirectory: runner.scriptsDirectory,
          scriptName: args.script_name,
          source: args.source,
          dependencies: args.dependencies,
          requiresPython: args.requires_python ?? null,
          overwrite: args.overwrite,
        }),
      ),
  );

  server.registerTool(
    'py_run_saved_script',
    {
      description: deprecated(
        'Run a script saved with py_save_script (its PEP 723 dependencies installed).',
        'py_run_saved_script_v2',
      ),
      inputSchema: strictInput({ ...runSavedShape, ...timeoutShape }),
    },
    (args, extra) =>
      toolCall(async () => {
        services.assertOpen();
        const prepared = await runner.prepare('saved', args);
        return toRunScriptResult(await services.runInline(prepared, extra));
      }),
  );

  server.registerTool(
    'py_list_scripts',
    {
      description:
        'List saved scripts with their docstring (at most 300 characters) and PEP 723 header. Not deprecated.',
      inputSchema: strictInput({}),
    },
    () => toolCall(() => listScripts(runner.scriptsDirectory)),
  );
}
