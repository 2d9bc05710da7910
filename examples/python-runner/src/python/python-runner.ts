import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import type { ProgressUpdate } from '@sa/core';
import { CancelledError, InvalidArgumentError } from '@sa/core';
import type { ChildRegistry } from './child-registry';
import { buildEnvironment } from './environment';
import { removeLeftoverInlineScripts } from './inline-scripts';
import { measuringWrapper, parseMeasurement } from './measurement';
import { parseImports } from './import-parser';
import type { PythonInfo } from './interpreter';
import { findExecutable, probePython, selectPython } from './interpreter';
import type { PathKind } from './path-safety';
import { resolveInsideRoots } from './path-safety';
import { createResourceSampler } from './resource-sampler';
import type { ResourceSampler } from './resource-sampler';
import type { ProcessLauncher } from './process-launcher';
import type { OutputSink } from './run-process';
import { runProcess } from './run-process';
import { readScriptMetadata } from './script-metadata';
import { readSavedScript } from './saved-scripts';
import { ensureVirtualEnvironment } from './virtual-environment';
import { assertDurationSeconds, minSampleIntervalSeconds } from '../duration-limits';
import { echo } from '../bounded-echo';
import { formatLocalDependency, parseDependency, uvArguments } from './dependency-reference';
import type {
  BenchmarkResult,
  ExecutionStrategy,
  RunScriptResult,
  RunWithDependenciesResult,
  ScriptRequest,
} from './script-request';

/** Settings shared by every run. */
export interface PythonRunnerSettings {
  /** The configured interpreter (default `python3`). */
  python: string;
  /** Allowed roots, real paths; the first is the default working directory. */
  roots: readonly string[];
  /** Cached environments, saved scripts and inline scripts live here. */
  dataDirectory: string;
  /** Per run and stream; output beyond it is dropped with a notice. */
  maxOutputBytes: number;
  /** How much lower than the server's the scripts' CPU priority is, 0 to 19 (default 0). */
  scriptNice?: number;
  /** The server's environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Folder of `smart_async_progress.py`, added at the end of PYTHONPATH so scripts can import it. */
  helperDirectory?: string;
  /** Records running children so a restarted server can end those a crashed one left behind. */
  childRegistry?: ChildRegistry;
  /** Starts the scripts (default: the shared launcher process). */
  launcher?: ProcessLauncher;
}

/** What a run reports while it runs. */
export interface RunContext {
  signal?: AbortSignal;
  onOutput?: OutputSink;
  onProgress?: (update: ProgressUpdate) => void;
  onSpawn?: (pid: number) => void;
}

/** Which tool a run is for: it decides defaults and the result's shape. */
export type RunKind = 'in-directory' | 'with-dependencies' | 'saved';

/** A validated run, ready to execute; `dispose` removes its inline script if it never runs. */
export interface PreparedRun {
  kind: RunKind;
  cwd: string;
  script: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  strategy: ExecutionStrategy;
  python: PythonInfo;
  uv: string | undefined;
  requestedVersion: string | null;
  dependencies: string[];
  pythonVersionUsed: string;
  dispose(): Promise<void>;
}

/** Options of `execute` beyond the run context. */
export interface ExecuteOptions extends RunContext {
  /** Measure wall time, CPU time and peak memory, sampling every `sampleIntervalMs`. */
  benchmark?: { sampleIntervalMs: number };
}

/** Runs Python scripts for the tools: validation first, then execution. */
export interface PythonRunner {
  readonly settings: PythonRunnerSettings;
  /** Validates a request (paths, environment, interpreter, dependencies) without running it. */
  prepare(kind: RunKind, request: ScriptRequest): Promise<PreparedRun>;
  /** Runs a prepared run to its end; throws `CANCELLED` when its signal aborts. */
  execute(prepared: PreparedRun, options?: ExecuteOptions): Promise<BenchmarkResult>;
  /** Deletes inline scripts left behind (by a crash), never those of live runs; returns how many. */
  cleanupInlineScripts(): Promise<number>;
  /** Where saved scripts live. */
  readonly scriptsDirectory: string;
}

/**
 * Creates the runner behind every execution tool.
 *
 * @example
 * const runner = createPythonRunner({ python: 'python3', roots: [process.cwd()], dataDirectory, maxOutputBytes: 1 << 20 });
 * const run = await runner.prepare('in-directory', { directory: '.', script_content: 'print(1)' });
 * const result = await runner.execute(run);
 */
export function createPythonRunner(settings: PythonRunnerSettings): PythonRunner {
  const baseEnv = settings.env ?? process.env;
  const inlineDirectory = join(settings.dataDirectory, 'inline');
  const scriptsDirectory = join(settings.dataDirectory, 'scripts');
  const defaultRoot = settings.roots[0] ?? process.cwd();
  const activeInlineFiles = new Set<string>();
  let uvLookup: Promise<string | undefined> | undefined;
  const findUv = (): Promise<string | undefined> =>
    (uvLookup ??= findExecutable('uv', baseEnv.PATH ?? ''));

  const inside = (path: string, parameter: string, kind: PathKind, base: string) =>
    resolveInsideRoots(path, { roots: settings.roots, base, parameter, kind });

  async function prepare(kind: RunKind, request: ScriptRequest): Promise<PreparedRun> {
    const args = request.args ?? [];
    if (
      !Array.isArray(args) ||
      args.some((argument) => typeof argument !== 'string' || argument.includes('\0'))
    ) {
      throw new InvalidArgumentError('args must be a list of strings without NUL bytes');
    }
    for (const field of ['script_content', 'python_version'] as const) {
      if (typeof request[field] === 'string' && request[field].includes('\0'))
        throw new InvalidArgumentError(`${field} contains a NUL byte`, { data: { field } });
    }
    if (typeof request.python_version === 'string' && request.python_version.length > 100)
      throw new InvalidArgumentError(
        `python_version ${echo(request.python_version)} is not a version (at most 100 characters)`,
        { data: { field: 'python_version' } },
      );
    const timeoutSeconds = request.timeout_seconds ?? 300;
    assertDurationSeconds('timeout_seconds', timeoutSeconds);
    let cwd = defaultRoot;
    if (kind === 'in-directory') {
      if (!request.directory) throw new InvalidArgumentError('directory is required');
      cwd = await inside(request.directory, 'directory', 'directory', defaultRoot);
    }

    let script: string;
    let source: string;
    let inlineFile: string | undefined;
    let savedRequirement: string | null = null;
    let savedDependencies: string[] = [];
    if (kind === 'saved') {
      if (!request.script_name) throw new InvalidArgumentError('script_name is required');
      const saved = await readSavedScript(scriptsDirectory, request.script_name);
      script = saved.path;
      source = saved.source;
      const metadata = readScriptMetadata(source);
      savedRequirement = metadata.requiresPython;
      savedDependencies = metadata.dependencies;
    } else {
      const hasPath = typeof request.script_path === 'string' && request.script_path !== '';
      const hasContent =
        typeof request.script_content === 'string' && request.script_content !== '';
      if (hasPath === hasContent) {
        throw new InvalidArgumentError(
          hasPath
            ? 'Give either script_path or script_content, not both'
            : 'Give one of script_path or script_content',
        );
      }
      if (hasPath) {
        script = await inside(request.script_path as string, 'script_path', 'file', cwd);
        source = await readFile(script, 'utf8');
        if (kind === 'with-dependencies') cwd = dirname(script);
      } else {
        source = request.script_content as string;
        await mkdir(inlineDirectory, { recursive: true });
        inlineFile = join(
          inlineDirectory,
          `inline-${process.pid}-${randomBytes(8).toString('hex')}.py`,
        );
        activeInlineFiles.add(inlineFile);
        await writeFile(inlineFile, source);
        script = inlineFile;
      }
    }
    const dispose = async (): Promise<void> => {
      if (!inlineFile) return;
      await rm(inlineFile, { force: true });
      activeInlineFiles.delete(inlineFile);
    };

    try {
      const envFile = request.env_file
        ? await inside(request.env_file, 'env_file', 'file', cwd)
        : null;
      const env = await buildEnvironment({
        base: baseEnv,
        envFile,
        envVars: request.env_vars ?? null,
      });
      if (inlineFile && kind === 'in-directory') {
        // The inline script lives elsewhere: let it import modules of its directory.
        env.PYTHONPATH = env.PYTHONPATH ? `${cwd}${delimiter}${env.PYTHONPATH}` : cwd;
      }
      if (settings.helperDirectory) {
        env.PYTHONPATH = env.PYTHONPATH
          ? `${env.PYTHONPATH}${delimiter}${settings.helperDirectory}`
          : settings.helperDirectory;
      }
      const requestedVersion = request.python_version?.trim() || savedRequirement || null;
      const uv = kind !== 'in-directory' || (request.use_uv ?? true) ? await findUv() : undefined;
      const strategy: ExecutionStrategy = uv ? 'uv-run' : 'system-python';
      const python =
        strategy === 'uv-run'
          ? await probePython(settings.python)
          : await selectPython({
              configured: settings.python,
              requested: requestedVersion,
              path: baseEnv.PATH,
            });

      let dependencies: string[] = [];
      if (kind !== 'in-directory') {
        const given = kind === 'saved' ? savedDependencies : (request.dependencies ?? []);
        // Every local reference pip accepts (path, file: URL, name @ file:..., -e) is held to the roots.
        const resolved = await Promise.all(
          given.map(async (dependency) => {
            const reference = parseDependency(dependency);
            if (reference.kind === 'requirement') return reference.text;
            const real = await inside(reference.path, 'dependencies', 'any', cwd);
            return formatLocalDependency(reference, real);
          }),
        );
        const parsed =
          kind === 'with-dependencies' && (request.auto_parse_imports ?? true)
            ? await parseImports(source, {
                python: python.executable,
                stdlibModuleNames: python.stdlibModuleNames,
                directory: inlineFile ? undefined : dirname(script),
              })
            : [];
        dependencies = [...new Set([...resolved, ...parsed])];
      }
      return {
        kind,
        cwd,
        script,
        args,
        env,
        timeoutMs: timeoutSeconds * 1000,
        strategy,
        python,
        uv,
        requestedVersion,
        dependencies,
        pythonVersionUsed:
          strategy === 'uv-run' ? (requestedVersion ?? 'uv default') : python.version,
        dispose,
      };
    } catch (error) {
      await dispose();
      throw error;
    }
  }

  async function execute(
    prepared: PreparedRun,
    options: ExecuteOptions = {},
  ): Promise<BenchmarkResult> {
    const started = performance.now();
    let stdout = '';
    let stderr = '';
    let sampler: ResourceSampler | undefined;
    let forget: (() => Promise<void>) | undefined;
    try {
      if (options.benchmark)
        assertDurationSeconds(
          'sample_interval',
          options.benchmark.sampleIntervalMs / 1000,
          minSampleIntervalSeconds,
        );
      let command: string;
      let commandArgs: string[];
      if (prepared.strategy === 'uv-run' && prepared.uv) {
        command = prepared.uv;
        commandArgs = [
          'run',
          '--no-project',
          ...(prepared.requestedVersion ? ['--python', prepared.requestedVersion] : []),
          ...(prepared.kind === 'saved' ? [] : prepared.dependencies.flatMap(uvArguments)),
          prepared.script,
          ...prepared.args,
        ];
      } else {
        let interpreter = prepared.python.executable;
        if (prepared.dependencies.length > 0) {
          const environment = await ensureVirtualEnvironment({
            dataDirectory: settings.dataDirectory,
            python: prepared.python,
            dependencies: prepared.dependencies,
            env: prepared.env,
            signal: options.signal,
          });
          interpreter = environment.python;
        }
        command = interpreter;
        commandArgs = [prepared.script, ...prepared.args];
      }
      if (options.benchmark) {
        commandArgs = ['-c', measuringWrapper, command, ...commandArgs];
        command = prepared.python.executable;
      }
      const runStarted = performance.now();
      const outcome = await runProcess({
        command,
        args: commandArgs,
        cwd: prepared.cwd,
        env: prepared.env,
        timeoutMs: prepared.timeoutMs,
        signal: options.signal,
        maxOutputBytes: settings.maxOutputBytes,
        nice: settings.scriptNice,
        channel: Boolean(options.benchmark),
        ...(settings.launcher === undefined ? {} : { launcher: settings.launcher }),
        onOutput: (stream, chunk) => {
          if (stream === 'stdout') stdout += chunk;
          else stderr += chunk;
          options.onOutput?.(stream, chunk);
        },
        onProgress: options.onProgress,
        onSpawn: (pid) => {
          forget = settings.childRegistry?.register(pid);
          if (options.benchmark) {
            sampler = createResourceSampler({
              pid,
              excludeRoot: true,
              intervalMs: options.benchmark.sampleIntervalMs,
            });
          }
          options.onSpawn?.(pid);
        },
      });
      const wallSeconds = (performance.now() - runStarted) / 1000;
      const sample = await sampler?.stop();
      if (outcome.cancelled)
        throw new CancelledError('The script was cancelled; its process tree was killed');
      const result: BenchmarkResult = {
        stdout,
        stderr,
        exit_code: outcome.exitCode,
        execution_strategy: prepared.strategy,
        elapsed_seconds: round((performance.now() - started) / 1000),
        resolved_dependencies: prepared.dependencies,
        python_version_used: prepared.pythonVersionUsed,
      };
      if (options.benchmark) {
        const measured = parseMeasurement(outcome.channel);
        result.wall_time_seconds = round(wallSeconds);
        result.cpu_time_seconds = round(measured.cpu);
        result.peak_rss_mb = round(
          Math.max(sample?.peakRssBytes ?? 0, measured.maxRssKb * 1024) / (1024 * 1024),
        );
      }
      return result;
    } finally {
      await sampler?.stop();
      await forget?.();
      await prepared.dispose();
    }
  }

  return {
    settings,
    scriptsDirectory,
    prepare,
    execute,
    cleanupInlineScripts: () => removeLeftoverInlineScripts(inlineDirectory, activeInlineFiles),
  };
}

/** Shapes a full result into what the in-directory tools return. */
export function toRunScriptResult(result: RunWithDependenciesResult): RunScriptResult {
  return {
    stdout: result.stdout,
    stderr: result.stderr,
    exit_code: result.exit_code,
    execution_strategy: result.execution_strategy,
    elapsed_seconds: result.elapsed_seconds,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
