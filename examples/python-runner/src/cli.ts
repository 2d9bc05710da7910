import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { isSaError } from '@sa/core';
import { parseCommandLine } from './command-line';
import type { PythonRunnerConfig } from './config';
import type { HttpEndpoint } from './http-server';
import { startHttpServer } from './http-server';
import { createStderrLogger } from './logger';
import { createPythonRunnerServer } from './server';

/** Runs the server until SIGINT, SIGTERM or (over stdio) the client closes the connection. */
export async function main(argv: readonly string[]): Promise<void> {
  const logger = createStderrLogger();
  let config: PythonRunnerConfig;
  try {
    config = parseCommandLine(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') process.exit(0);
    if (!code?.startsWith('commander.'))
      logger.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  const server = await createPythonRunnerServer({ config, logger });
  let endpoint: HttpEndpoint | undefined;
  let shuttingDown = false;
  const shutdown = async (why: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info(
      config.stopJobsOnExit || config.store === 'memory'
        ? `${why}: stopping (no new calls; running scripts killed, their jobs interrupted)`
        : `${why}: stopping (no new calls; running scripts go on under the supervisor)`,
    );
    await endpoint?.close();
    await server.close(`the server stopped (${why})`);
    logger.info('stopped');
    process.exit(0);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.warn(`${signal} again: exiting at once`);
      process.exit(1);
    }
    void shutdown(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  if (config.transport === 'stdio') {
    const transport = new StdioServerTransport();
    process.stdin.once('end', () => void shutdown('stdin closed'));
    transport.onclose = () => void shutdown('connection closed');
    await server.createMcpServer().connect(transport);
    logger.info(
      `ready on stdio (data ${config.dataDirectory}, roots ${server.services.config.roots.join(', ')})`,
    );
  } else {
    endpoint = await startHttpServer({ server, config, logger });
    logger.info(
      `listening on ${endpoint.url}${config.authToken ? ' (bearer token required)' : ''}`,
    );
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `[sa-python-runner] error: ${isSaError(error) || error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
