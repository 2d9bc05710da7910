/** How a script was run. */
export type ExecutionStrategy = 'uv-run' | 'system-python';

/** The parameters of the execution tools, as the tools name them (snake_case). */
export interface ScriptRequest {
  directory?: string | null;
  script_path?: string | null;
  script_content?: string | null;
  script_name?: string | null;
  args?: string[];
  use_uv?: boolean;
  python_version?: string | null;
  timeout_seconds?: number;
  env_vars?: Record<string, string> | null;
  env_file?: string | null;
  dependencies?: string[];
  auto_parse_imports?: boolean;
}

/** What `py_run_script_in_dir` returns. */
export interface RunScriptResult {
  stdout: string;
  stderr: string;
  /** Always an integer; minus the signal number when the script was killed by one. */
  exit_code: number;
  execution_strategy: ExecutionStrategy;
  elapsed_seconds: number;
}

/** What `py_run_script_with_dependencies` returns. */
export interface RunWithDependenciesResult extends RunScriptResult {
  resolved_dependencies: string[];
  python_version_used: string;
}

/** What `py_benchmark_script` returns (the measured fields only when benchmarking). */
export interface BenchmarkResult extends RunWithDependenciesResult {
  wall_time_seconds?: number;
  cpu_time_seconds?: number;
  peak_rss_mb?: number;
}
