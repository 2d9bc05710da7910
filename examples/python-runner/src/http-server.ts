import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { AuthInfo } from '@modelcontextprotocol/server';
import {
  WebStandardStreamableHTTPServerTransport,
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
} from '@modelcontextprotocol/server';
import { InvalidArgumentError, isSaError } from '@sa/core';
import type { PythonRunnerConfig } from './config';
import { echo } from './bounded-echo';
import { allowedHostHeaders, isLoopbackHost } from './http-host-policy';
import { createSessionRegistry } from './http-sessions';
import type { Logger } from './logger';
import type { PythonRunnerServer } from './server';

/** A listening Streamable HTTP endpoint. */
export interface HttpEndpoint {
  /** The MCP endpoint, e.g. `http://127.0.0.1:8000/mcp`. */
  url: string;
  /** Stops listening and closes every session (or, stateless, every request's server). */
  close(): Promise<void>;
}

/** Options for `startHttpServer`. */
export interface StartHttpServerOptions {
  server: PythonRunnerServer;
  config: PythonRunnerConfig;
  logger: Logger;
}

/** The largest request body read, bytes. */
const maxBodyBytes = 4 * 1024 * 1024;

/**
 * Serves MCP over Streamable HTTP at `/mcp` through SDK v2, with Host and Origin checks against
 * DNS rebinding and the bearer token when one is set. A 2026-07-28 request (stateless by
 * nature) is served by `createMcpHandler` with a fresh server per request; a 2025-era client
 * gets one session per client (or, with `stateless`, a fresh server per POST and no sessions).
 *
 * @example
 * const endpoint = await startHttpServer({ server, config, logger });
 * logger.info(`listening on ${endpoint.url}`);
 */
export async function startHttpServer(options: StartHttpServerOptions): Promise<HttpEndpoint> {
  const { server, config, logger } = options;
  if (!isLoopbackHost(config.host) && !config.authToken) {
    if (!config.allowRemoteWithoutToken)
      throw new InvalidArgumentError(
        `--host ${config.host} is not a loopback address and no --auth-token is set (pass --allow-remote-without-token to accept that)`,
      );
    logger.warn(
      `WARNING: listening on ${config.host} WITHOUT a bearer token (--allow-remote-without-token): ` +
        'anyone who can reach this port can run Python as this user. Set --auth-token unless a proxy in front authenticates every request.',
    );
  }
  // Sessions a client abandoned without DELETE are closed after this long without a request;
  // at most maxSessions live at once (the oldest idle one makes room for a new one).
  const sessions = createSessionRegistry<WebStandardStreamableHTTPServerTransport>({
    maxSessions: config.maxSessions,
    idleMs: config.sessionIdleSeconds * 1000,
    onEvicted: (id, why) =>
      logger.info(
        why === 'idle'
          ? `closed HTTP session ${id}: no request for ${config.sessionIdleSeconds} s`
          : `closed idle HTTP session ${id} to make room (--max-sessions ${config.maxSessions})`,
      ),
  });
  const sweep = setInterval(
    () => sessions.sweep(),
    Math.max(1000, Math.min(60_000, (config.sessionIdleSeconds * 1000) / 2)),
  );
  sweep.unref();
  const tokenDigest = config.authToken ? digest(config.authToken) : undefined;
  let port = config.port;

  const allowedHosts = (): Set<string> =>
    allowedHostHeaders({ bindHost: config.host, port, extraHosts: config.allowedHosts });
  const allowedOrigins = (): Set<string> =>
    new Set([
      ...[...allowedHosts()].flatMap((host) => [`http://${host}`, `https://${host}`]),
      ...(config.allowedOrigins ?? []).map((origin) => origin.toLowerCase()),
    ]);

  const refuse = (
    response: ServerResponse,
    status: number,
    message: string,
    headers: Record<string, string> = {},
  ): void => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
  };

  // 2026-07-28 requests: a fresh server from the factory per request (2025 ones are routed
  // below, before they reach it); the job manager behind it is shared. On 2026-07-28 closing the
  // response stream cancels an inline call; a promoted task keeps running.
  const handler = createMcpHandler((ctx) => server.createMcpServer(ctx.era), {
    legacy: 'reject',
    maxRequestBodySize: maxBodyBytes,
    onerror: (error) => logger.warn(`MCP over HTTP: ${error.message}`),
  });

  // 2025 clients with --stateless: one server and transport per POST, closed with its response,
  // so inline work whose client went away is promoted to a job (its work is shielded).
  const inFlight = new Set<Promise<void>>();
  const serveStatelessLegacy = async (
    webRequest: Request,
    response: ServerResponse,
    body: unknown,
    authInfo: AuthInfo | undefined,
  ): Promise<void> => {
    const mcpServer = server.createMcpServer('legacy');
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
    });
    let closed: Promise<void> | undefined;
    const close = (): Promise<void> => {
      if (closed) return closed;
      closed = (async () => {
        await transport.close().catch(() => undefined);
        await mcpServer.close().catch(() => undefined);
      })();
      const done = closed;
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done));
      return done;
    };
    try {
      await mcpServer.connect(transport);
      // Closed with the response, also when the client left while the server was connecting.
      if (response.closed) return await close();
      response.once('close', () => void close());
      await send(
        response,
        await transport.handleRequest(webRequest, { authInfo, parsedBody: body }),
      );
    } catch (error) {
      await close();
      throw error;
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/mcp')
      return refuse(response, 404, 'Not found: the MCP endpoint is /mcp');
    const host = (request.headers.host ?? '').toLowerCase();
    if (!allowedHosts().has(host)) {
      return refuse(
        response,
        403,
        `Host ${host ? echo(host) : '(none)'} is not allowed (DNS rebinding protection; --allowed-host adds names)`,
      );
    }
    let authInfo: AuthInfo | undefined;
    const origin = request.headers.origin?.toLowerCase();
    if (origin !== undefined && !allowedOrigins().has(origin)) {
      return refuse(
        response,
        403,
        `Origin ${echo(origin)} is not allowed (DNS rebinding protection; --allowed-origin adds origins)`,
      );
    }
    if (tokenDigest) {
      const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
      if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), tokenDigest)) {
        return refuse(response, 401, 'A valid bearer token is required', {
          'www-authenticate': 'Bearer',
        });
      }
      authInfo = { token: match[1].trim(), clientId: 'bearer-token', scopes: [] };
    }
    let body: unknown;

    if (request.method === 'POST') body = await readJson(request);
    const webRequest = toWebRequest(request, body);
    const legacy = await isLegacyRequest(webRequest, body, { maxRequestBodySize: maxBodyBytes });
    if (legacy && config.stateless && request.method !== 'POST') {
      return refuse(
        response,
        405,
        'Method not allowed: this server is stateless (--stateless), send every request as a POST',
        { allow: 'POST' },
      );
    }
    if ((!legacy || config.stateless) && request.method === 'POST') {
      if (body === undefined) return refuseUnparsable(response);
      if (server.services.closing) return refuse(response, 503, 'The server is shutting down');
    }
    // 2026-07-28 requests: a fresh server per request from createMcpHandler.
    if (!legacy)
      return send(response, await handler.fetch(webRequest, { authInfo, parsedBody: body }));
    if (config.stateless) return serveStatelessLegacy(webRequest, response, body, authInfo);

    const sessionId = request.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (existing && typeof sessionId === 'string') {
      // In flight until the response ends (an open SSE stream keeps its session busy).
      const end = sessions.begin(sessionId);
      response.once('close', end);
      return send(
        response,
        await existing.handleRequest(webRequest, { authInfo, parsedBody: body }),
      );
    }
    if (sessionId !== undefined)
      return refuse(response, 404, 'Unknown or expired session; initialize again');
    if (request.method !== 'POST') return refuse(response, 400, 'Send an initialize request first');
    if (!isInitializeRequest(body))
      return refuse(response, 400, 'Send an initialize request first');
    if (server.services.closing) return refuse(response, 503, 'The server is shutting down');
    try {
      sessions.reserve();
    } catch (error) {
      if (!isSaError(error, 'CONFLICT')) throw error;
      return refuse(response, 503, error.message, { 'retry-after': '5' });
    }
    const transport: WebStandardStreamableHTTPServerTransport =
      new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.add(id, transport);
        },
      });
    transport.onclose = () => {
      if (transport.sessionId) sessions.remove(transport.sessionId);
    };
    await server.createMcpServer('legacy').connect(transport);
    return send(
      response,
      await transport.handleRequest(webRequest, { authInfo, parsedBody: body }),
    );
  };

  const requestTimeoutMs = config.requestTimeoutSeconds * 1000;
  const http = createServer(
    {
      // Headers and body must arrive within requestTimeoutMs (checked every quarter of it).
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, requestTimeoutMs / 4)),
    },
    (request, response) => {
      handle(request, response).catch((error: unknown) => {
        if (isSaError(error, 'INVALID_ARGUMENT') && !response.headersSent)
          return refuse(response, 413, error.message, { connection: 'close' });
        logger.error(
          `HTTP request failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        if (!response.headersSent) refuse(response, 500, 'Internal error');
        else response.end();
      });
    },
  );
  closeIdleConnections(http, config.idleTimeoutSeconds * 1000);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${shownHost}:${port}/mcp`,
    async close() {
      clearInterval(sweep);
      await sessions.closeAll();
      await handler.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await Promise.all([...inFlight]);
    },
  };
}

/**
 * Closes connections that carry no request and no traffic for `idleMs` (a client that connects
 * and sends nothing, or keeps an idle connection). A request in progress, however long its
 * response takes (an inline run, an SSE stream), keeps its connection.
 */
function closeIdleConnections(http: Server, idleMs: number): void {
  const busy = new Map<Socket, number>();
  // With a listener on the server's 'timeout', Node leaves the decision to us (no auto-destroy).
  http.setTimeout(idleMs, (socket: Socket) => {
    if ((busy.get(socket) ?? 0) === 0) socket.destroy();
  });
  http.on('connection', (socket: Socket) => {
    socket.once('close', () => busy.delete(socket));
  });
  http.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const count = (busy.get(socket) ?? 1) - 1;
      if (count > 0) busy.set(socket, count);
      else busy.delete(socket);
    });
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes)
      throw new InvalidArgumentError(`The request body is larger than ${maxBodyBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The node request as a web `Request` (its body already read into `body`). */
function toWebRequest(request: IncomingMessage, body: unknown, signal?: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  const method = request.method ?? 'GET';
  return new Request(`http://${request.headers.host ?? '127.0.0.1'}${request.url ?? '/'}`, {
    method,
    headers,
    ...(method === 'POST' && body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** Writes a web `Response` (JSON or an SSE stream) to the node response; stops reading it when the client leaves. */
async function send(response: ServerResponse, answer: Response): Promise<void> {
  response.writeHead(answer.status, Object.fromEntries(answer.headers.entries()));
  if (answer.body === null) {
    response.end();
    return;
  }
  const stream = Readable.fromWeb(answer.body);
  response.once('close', () => stream.destroy());
  await new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('error', () => resolve());
    stream.once('close', resolve);
    stream.pipe(response);
  });
}

function refuseUnparsable(response: ServerResponse): void {
  response.writeHead(400, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      jsonrpc: '2.0',
      error: { code: -32700, message: 'Parse error: the request body is not JSON' },
      id: null,
    }),
  );
}
