import { mkdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { McpServer } from '@modelcontextprotocol/server';
import { createJobManager } from '@sa/jobs';
import type { PythonRunnerConfig } from './config';
import { usesSupervisor } from './config';
import { createConfiguredJobStore } from './job-store-factory';
import { registerLegacyJobTools } from './legacy/register-legacy-job-tools';
import { registerLegacyRunTools } from './legacy/register-legacy-run-tools';
import type { Logger } from './logger';
import { findHelperDirectory } from './python/helper-directory';
import { createChildRegistry } from './python/child-registry';
import { probePython } from './python/interpreter';
import { resolveRoots } from './python/path-safety';
import { createPythonRunner } from './python/python-runner';
import { packageVersion } from './package-version';
import type { PythonRunnerServices } from './services';
import { createServices } from './services';
import { createV2SmartTools, registerV2Tools } from './v2/register-v2-tools';
import { createSupervisorClient } from './supervisor/supervisor-client';
import { supervisorPaths } from './supervisor/supervisor-paths';
import { supervisorSettingsOf } from './supervisor/supervisor-settings';

/** The server's name and version as MCP clients see them. */
export const serverInfo = { name: 'sa-python-runner', version: packageVersion() };

/** A running python-runner: shared services, and an `McpServer` per connection. */
export interface PythonRunnerServer {
  readonly services: PythonRunnerServices;
  /**
   * A new SDK v2 `McpServer` with every tool and the job-stream resource: one per 2025 connection
   * or session, one per 2026-07-28 request (`era` is the factory context's `ctx.era`).
   */
  createMcpServer(era?: 'legacy' | 'modern'): McpServer;
  /**
   * Stops accepting calls. Scripts under the supervisor go on (their jobs stay `running`);
   * with `stopJobsOnExit` (or the memory store) they end and their jobs are recorded
   * `interrupted` with `reason`.
   */
  close(reason?: string): Promise<void>;
}

/** Options for `createPythonRunnerServer`. */
export interface CreatePythonRunnerServerOptions {
  config: PythonRunnerConfig;
  logger: Logger;
}

/**
 * Creates the python-runner: roots checked, job store and manager opened, tools ready to register.
 *
 * @example
 * const runner = await createPythonRunnerServer({ config: resolveConfig({}), logger: createStderrLogger() });
 * serveStdio((ctx) => runner.createMcpServer(ctx.era));
 */
export async function createPythonRunnerServer(
  options: CreatePythonRunnerServerOptions,
): Promise<PythonRunnerServer> {
  const { config, logger } = options;
  const roots = await resolveRoots(config.roots);
  await mkdir(config.dataDirectory, { recursive: true });
  const store = await createConfiguredJobStore(config, logger);
  // Before the first call: jobs of a server that died are `interrupted` from the first read on.
  const reaped = await store.reapExpired().catch((error: unknown) => {
    logger.warn(
      `could not reap the jobs of dead servers: ${error instanceof Error ? error.message : String(error)}`,
    );
    return [];
  });
  if (reaped.length > 0)
    logger.info(`marked ${reaped.length} job(s) of a server that died as interrupted`);
  const jobs = createJobManager({
    store,
    concurrency: config.maxConcurrentJobs,
    leaseMs: Math.round(config.leaseSeconds * 1000),
    heartbeatMs: Math.round(config.heartbeatSeconds * 1000),
    logger: { warn: (message) => logger.warn(message) },
  });
  const childRegistry = createChildRegistry(join(config.dataDirectory, 'children'));
  const orphans = await childRegistry.reapOrphans();
  if (orphans.length > 0) {
    logger.warn(
      `ended ${orphans.length} script process tree(s) left by a server that died: ${orphans.join(', ')}`,
    );
  }
  const runner = createPythonRunner({
    childRegistry,
    python: config.python,
    roots,
    dataDirectory: config.dataDirectory,
    maxOutputBytes: config.maxOutputBytes,
    scriptNice: config.scriptNice,
    helperDirectory: findHelperDirectory(),
  });
  // Probe the interpreter now, so the first call does not pay for it (and a bad --python shows at once).
  probePython(config.python).catch((error: unknown) => {
    logger.warn(error instanceof Error ? error.message : String(error));
  });
  const inlineDirectory = join(config.dataDirectory, 'inline') + sep;
  const supervisor = usesSupervisor(config)
    ? createSupervisorClient({
        settings: supervisorSettingsOf(config),
        paths: supervisorPaths(config),
        logger,
        isInlineScript: (script) => script.startsWith(inlineDirectory),
      })
    : undefined;
  const services = createServices({
    config: { ...config, roots },
    logger,
    runner,
    jobs,
    ...(supervisor === undefined ? {} : { supervisor }),
  });
  const servers = new Set<McpServer>();
  let closed: Promise<void> | undefined;

  return {
    services,
    createMcpServer(era = 'legacy') {
      const server = new McpServer(serverInfo);
      // Before any tool: the smart tools see `params.task` (2025-11-25 client-directed tasks).
      const smart = createV2SmartTools(server, services, era);
      registerLegacyRunTools(server, services);
      registerLegacyJobTools(server, services);
      registerV2Tools(smart, services);
      servers.add(server);
      server.server.onclose = () => servers.delete(server);
      return server;
    },
    close(reason) {
      closed ??= (async () => {
        await services.close(reason);
        await Promise.all([...servers].map((server) => server.close().catch(() => undefined)));
        await store.close();
      })();
      return closed;
    },
  };
}
