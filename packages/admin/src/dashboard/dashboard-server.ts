import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SaError } from '@sa/core';
import type { DashboardHandlerOptions } from './dashboard-handler';
import { createDashboardHandler } from './dashboard-handler';
import { isLoopbackAddress } from './request-guard';

/** Options of `startDashboard`. */
export interface DashboardServerOptions extends DashboardHandlerOptions {
  /** Bind address (default `127.0.0.1`). Anything but loopback needs a `token`. */
  host?: string;
  /** Port (default 4100; 0 picks a free one). */
  port?: number;
}

/** A running dashboard server. */
export interface DashboardServer {
  /** The page's address (with `?token=` when a token is set). */
  url: string;
  /** The bound port. */
  port: number;
  /** Stops listening, ends the live streams; the store stays open (it is the caller's). */
  close(): Promise<void>;
}

/**
 * Throws `FORBIDDEN` for a non-loopback bind without a token, and `INVALID_ARGUMENT` for a
 * token shorter than 16 characters.
 */
export function assertSafeBind(host: string, token: string | undefined): void {
  if (!isLoopbackAddress(host) && (token === undefined || token === ''))
    throw new SaError(
      'FORBIDDEN',
      `refusing to serve the dashboard on ${host} (not loopback) without a token: give --token (or SA_DASHBOARD_TOKEN)`,
    );
  if (token !== undefined && token.length < 16)
    throw new SaError('INVALID_ARGUMENT', 'the token must be at least 16 characters long');
}

/**
 * Serves the dashboard on its own HTTP server. Binding to anything but a loopback address
 * without a `token` is refused (`FORBIDDEN`): the dashboard can cancel and delete jobs.
 *
 * @example
 * const dashboard = await startDashboard({ store, port: 0, readOnly: true });
 * console.log(dashboard.url);
 */
export async function startDashboard(options: DashboardServerOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopbackAddress(host);
  assertSafeBind(host, options.token);
  const bareHost = host.replace(/^\[|\]$/g, '');
  const urlHost = bareHost.includes(':') ? `[${bareHost}]` : bareHost;
  const handler = createDashboardHandler({
    ...options,
    allowedHosts: [...(options.allowedHosts ?? []), ...(loopback ? [] : [urlHost])],
  });
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4100, bareHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const token = options.token === undefined ? '' : `?token=${encodeURIComponent(options.token)}`;
  return {
    url: `http://${urlHost}:${port}/${token}`,
    port,
    async close() {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
