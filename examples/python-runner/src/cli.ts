import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import { isSaError } from '@sa/core';
import { parseCommandLine } from './command-line';
import type { PythonRunnerConfig } from './config';
import type { HttpEndpoint } from './http-server';
import { startHttpServer } from './http-server';
import type { Logger } from './logger';
import { createStderrLogger } from './logger';
import { createStdioLineGuard, maxStdioMessageBytes } from './stdio-line-guard';
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
  let closeStdio: (() => Promise<void>) | undefined;
  const shutdown = async (why: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info(
      config.stopJobsOnExit || config.store === 'memory'
        ? `${why}: stopping (no new calls; running scripts killed, their jobs interrupted)`
        : `${why}: stopping (no new calls; running scripts go on under the supervisor)`,
    );
    await endpoint?.close();
    await closeStdio?.().catch(() => undefined);
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
    const transport = createGuardedStdioTransport(logger);
    process.stdin.once('end', () => void shutdown('stdin closed'));
    // One server for every client: the opening message picks the era (2026-07-28 or 2025).
    const stdio = serveStdio((ctx) => server.createMcpServer(ctx.era), {
      transport,
      onerror: (error) => logger.error(`stdio: ${error.message}`),
    });
    const onclose = transport.onclose;
    transport.onclose = () => {
      onclose?.();
      void shutdown('connection closed');
    };
    closeStdio = () => stdio.close();
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

/**
 * The stdio transport behind a line guard: a message over `maxStdioMessageBytes` is dropped,
 * logged and answered with an error, and the server keeps running (without the guard the SDK's
 * read buffer closes the transport, which stopped the server and cancelled every running job).
 */
function createGuardedStdioTransport(logger: Logger): StdioServerTransport {
  const guard = createStdioLineGuard({
    onOversize: ({ bytes, id }) => {
      logger.error(
        `dropped a message of ${bytes} bytes on stdin (request id ${id === null ? 'unknown' : JSON.stringify(id)}): ` +
          `over the ${maxStdioMessageBytes}-byte limit of one stdio message; the server keeps running`,
      );
      if (id === null) return;
      void transport
        .send({
          jsonrpc: '2.0',
          id,
          error: {
            code: -32600,
            message: `The message is ${bytes} bytes, over the ${maxStdioMessageBytes}-byte limit of one stdio message; it was dropped`,
          },
        })
        .catch(() => undefined);
    },
  });
  process.stdin.pipe(guard);
  // Lines reach the transport one by one, each within the limit; its own buffer never overflows.
  const transport = new StdioServerTransport(guard, process.stdout, {
    maxBufferSize: 2 * maxStdioMessageBytes + 2,
  });
  transport.onerror = (error) => logger.error(`stdio transport: ${error.message}`);
  return transport;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `[sa-python-runner] error: ${isSaError(error) || error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
