export { createPythonRunnerServer, serverInfo } from './server';
export type { PythonRunnerServer, CreatePythonRunnerServerOptions } from './server';
export { resolveConfig, defaultDataDirectory } from './config';
export type { PythonRunnerConfig } from './config';
export { startHttpServer } from './http-server';
export type { HttpEndpoint, StartHttpServerOptions } from './http-server';
export { createStderrLogger } from './logger';
export type { Logger } from './logger';
export { createPythonRunner, toRunScriptResult } from './python/python-runner';
export type {
  PythonRunner,
  PythonRunnerSettings,
  PreparedRun,
  RunContext,
  RunKind,
  ExecuteOptions,
} from './python/python-runner';
export type {
  ScriptRequest,
  RunScriptResult,
  RunWithDependenciesResult,
  BenchmarkResult,
  ExecutionStrategy,
} from './python/script-request';
export { runProcess } from './python/run-process';
export type {
  RunProcessOptions,
  ProcessOutcome,
  OutputSink,
  StreamName,
} from './python/run-process';
export { parseProgressLine } from './python/progress-line';
export { parseImports, distributionNames } from './python/import-parser';
export { killProcessTree } from './python/kill-process-tree';
