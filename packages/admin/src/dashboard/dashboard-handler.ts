import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSaError } from '@sa/core';
import type { JobManager, JobStore } from '@sa/jobs';
import { createJobManager } from '@sa/jobs';
import type { ApiContext } from './api-routes';
import {
  cancelRoute,
  jobRoute,
  listRoute,
  outputRoute,
  pruneRoute,
  summaryRoute,
} from './api-routes';
import type { Asset } from './dashboard-assets';
import { loadAssets } from './dashboard-assets';
import { securityHeaders, sendError } from './http-replies';
import type { RequestGuardOptions } from './request-guard';
import { checkRequest, tokenCookie } from './request-guard';
import { openEventStream } from './sse-stream';

/** Options of `createDashboardHandler`. */
export interface DashboardHandlerOptions extends RequestGuardOptions {
  /** The store to show; the caller opens and closes it. */
  store: JobStore;
  /** No cancel and prune: the buttons are absent and the actions refused (default false). */
  readOnly?: boolean;
  /**
   * The manager cancels go through (default: one this handler creates on first cancel over the
   * same store, and closes in `close()`).
   */
  manager?: JobManager;
  /** Most live-update streams open at once; more are refused with 503 (default 100). */
  maxEventStreams?: number;
}

/**
 * A request handler serving the dashboard under whatever path it is mounted at: a
 * `node:http` listener, and an Express/Connect middleware (`next` is called for nothing: every
 * path under the mount is the dashboard's).
 */
export interface DashboardHandler {
  (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void): void;
  /** Ends the live streams and closes the manager the handler created (not the store). */
  close(): Promise<void>;
}

const jobPath = /^\/api\/jobs\/([A-Za-z0-9_-]{1,128})(\/output|\/cancel)?$/;

/**
 * Creates the dashboard's request handler: the page, its assets (all in the package), a JSON
 * API over the store's public methods and a server-sent-event stream of the store's change feed.
 * Every request is checked first (Host, token, and Origin for actions).
 *
 * @example
 * import { createServer } from 'node:http';
 * const handler = createDashboardHandler({ store, readOnly: true });
 * createServer(handler).listen(4000, '127.0.0.1');
 */
export function createDashboardHandler(options: DashboardHandlerOptions): DashboardHandler {
  const assets = loadAssets();
  const readOnly = options.readOnly ?? false;
  const streams = new Set<() => void>();
  const maxEventStreams = options.maxEventStreams ?? 100;
  let ownManager: JobManager | undefined;
  const context: ApiContext = {
    store: options.store,
    readOnly,
    manager: () =>
      options.manager ??
      (ownManager ??= createJobManager({
        store: options.store,
        reapIntervalMs: 2 ** 31 - 1,
        retention: { pruneIntervalMs: 2 ** 31 - 1 },
      })),
  };

  async function route(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<void> {
    const method = request.method ?? 'GET';
    const path = url.pathname;
    const read = method === 'GET' || method === 'HEAD';
    if (read && (path === '/' || path === '/index.html')) return sendPage(request, response, url);
    if (read && path.startsWith('/assets/'))
      return sendAsset(response, assets.get(path.slice('/assets/'.length)));
    if (read && path === '/api/summary') return summaryRoute(context, response);
    if (read && path === '/api/jobs') return listRoute(context, url, response);
    if (read && path === '/api/events') {
      if (streams.size >= maxEventStreams)
        return sendError(response, 503, 'BUSY', 'too many live-update streams are open');
      const end = openEventStream(options.store, response);
      streams.add(end);
      response.on('close', () => streams.delete(end));
      return;
    }
    const job = jobPath.exec(path);
    if (job && read && job[2] === undefined) return jobRoute(context, job[1]!, response);
    if (job && read && job[2] === '/output') return outputRoute(context, job[1]!, url, response);
    const action = (job && job[2] === '/cancel') || path === '/api/prune';
    if (action && method !== 'POST') return sendError(response, 405, 'METHOD', 'use POST');
    if (action && readOnly)
      return sendError(response, 403, 'READ_ONLY', 'the dashboard is read-only');
    if (job && job[2] === '/cancel') return cancelRoute(context, job[1]!, request, response);
    if (path === '/api/prune') return pruneRoute(context, request, response);
    sendError(response, 404, 'NOT_FOUND', 'no such page');
  }

  function sendPage(request: IncomingMessage, response: ServerResponse, url: URL): void {
    // Relative links need the page's URL to end with `/` (e.g. mounted at /jobs).
    const original = (request as { originalUrl?: string }).originalUrl ?? request.url ?? '/';
    const originalPath = original.split('?')[0] ?? '/';
    if (url.pathname === '/' && !originalPath.endsWith('/')) {
      response.writeHead(308, { location: `${originalPath}/${url.search}` });
      response.end();
      return;
    }
    const headers: Record<string, string> = {};
    const token = url.searchParams.get('token');
    if (options.token !== undefined && token !== null)
      headers['set-cookie'] =
        `${tokenCookie}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
    const page = assets.get('dashboard.html')!;
    let html = page.body.toString('utf8');
    // Read-only: the action controls are not in the page at all (and the actions are refused).
    if (readOnly)
      html = html
        .replace('data-read-only="false"', 'data-read-only="true"')
        .replace(/<!--action-->[\s\S]*?<!--\/action-->/g, '');
    response.writeHead(200, {
      'content-type': page.contentType,
      'cache-control': 'no-store',
      ...headers,
    });
    response.end(html);
  }

  function sendAsset(response: ServerResponse, asset: Asset | undefined): void {
    if (!asset) return sendError(response, 404, 'NOT_FOUND', 'no such asset');
    response.writeHead(200, {
      'content-type': asset.contentType,
      'cache-control': 'no-cache',
      'content-length': asset.body.length,
    });
    response.end(asset.body);
  }

  const handler = ((request, response) => {
    for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    } catch {
      return sendError(response, 400, 'BAD_REQUEST', 'the request URL is malformed');
    }
    const refusal = checkRequest(request, url, options);
    if (refusal) {
      if (refusal.status === 401) response.setHeader('www-authenticate', 'Bearer');
      return sendError(
        response,
        refusal.status,
        refusal.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN',
        refusal.reason,
      );
    }
    route(request, response, url).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (isSaError(error)) {
        const status = {
          INVALID_ARGUMENT: 400,
          NOT_FOUND: 404,
          CONFLICT: 409,
          STORE_UNAVAILABLE: 503,
          CLOSED: 503,
        }[error.code as string];
        if (status !== undefined) return sendError(response, status, error.code, error.message);
      }
      // Anything else may carry details of the server: log them there, send a plain line.
      process.stderr.write(
        `[@sa/admin] dashboard request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      sendError(response, 500, 'INTERNAL', 'the request failed; the server log has the details');
    });
  }) as DashboardHandler;
  handler.close = async () => {
    for (const end of [...streams]) end();
    streams.clear();
    await ownManager?.close({ graceMs: 0 });
  };
  return handler;
}
