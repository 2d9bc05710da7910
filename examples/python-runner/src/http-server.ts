import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { InvalidArgumentError, isSaError } from '@sa/core';
import type { PythonRunnerConfig } from './config';
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

const loopbackHosts = ['127.0.0.1', 'localhost', '[::1]', '::1'];

/** The largest request body read, bytes. */
const maxBodyBytes = 4 * 1024 * 1024;

/** An HTTP session with no request for this long is closed (its jobs stay in the store). */
const sessionIdleMs = 30 * 60 * 1000;

/**
 * Serves MCP over Streamable HTTP at `/mcp`, one session per client (or, with `stateless`,
 * a fresh server per POST and no sessions), with Host and Origin checks against DNS
 * rebinding and the bearer token when one is set.
 *
 * @example
 * const endpoint = await startHttpServer({ server, config, logger });
 * logger.info(`listening on ${endpoint.url}`);
 */
export async function startHttpServer(options: StartHttpServerOptions): Promise<HttpEndpoint> {
  const { server, config, logger } = options;
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  // Sessions a client abandoned without DELETE are closed after this long without a request.
  const lastSeen = new Map<string, number>();
  const sweep = setInterval(() => {
    const cutoff = Date.now() - sessionIdleMs;
    for (const [id, seen] of lastSeen) {
      if (seen >= cutoff) continue;
      lastSeen.delete(id);
      void sessions
        .get(id)
        ?.close()
        .catch(() => undefined);
      sessions.delete(id);
    }
  }, 60_000);
  sweep.unref();
  const tokenDigest = config.authToken ? digest(config.authToken) : undefined;
  let port = config.port;

  const allowedHosts = (): Set<string> => {
    const names = loopbackHosts.includes(config.host) ? loopbackHosts : [config.host];
    return new Set([
      ...names.map((name) =>
        `${name.includes(':') && !name.startsWith('[') ? `[${name}]` : name}:${port}`.toLowerCase(),
      ),
      ...(config.allowedHosts ?? []).map((host) => host.toLowerCase()),
    ]);
  };
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

  const handle = async (
    request: IncomingMessage & { auth?: AuthInfo },
    response: ServerResponse,
  ): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/mcp')
      return refuse(response, 404, 'Not found: the MCP endpoint is /mcp');
    const host = (request.headers.host ?? '').toLowerCase();
    if (!allowedHosts().has(host)) {
      return refuse(
        response,
        403,
        `Host ${host || '(none)'} is not allowed (DNS rebinding protection)`,
      );
    }
    const origin = request.headers.origin?.toLowerCase();
    if (origin !== undefined && !allowedOrigins().has(origin)) {
      return refuse(response, 403, `Origin ${origin} is not allowed (DNS rebinding protection)`);
    }
    if (tokenDigest) {
      const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
      if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), tokenDigest)) {
        return refuse(response, 401, 'A valid bearer token is required', {
          'www-authenticate': 'Bearer',
        });
      }
      request.auth = { token: match[1].trim(), clientId: 'bearer-token', scopes: [] };
    }

    if (config.stateless) return handleStateless(request, response);

    const sessionId = request.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (existing && typeof sessionId === 'string') {
      lastSeen.set(sessionId, Date.now());
      return existing.handleRequest(request, response);
    }
    if (sessionId !== undefined)
      return refuse(response, 404, 'Unknown or expired session; initialize again');
    if (request.method !== 'POST') return refuse(response, 400, 'Send an initialize request first');

    const body = await readJson(request);
    if (!isInitializeRequest(body))
      return refuse(response, 400, 'Send an initialize request first');
    if (server.services.closing) return refuse(response, 503, 'The server is shutting down');
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
        lastSeen.set(id, Date.now());
      },
    });
    transport.onclose = () => {
      if (!transport.sessionId) return;
      sessions.delete(transport.sessionId);
      lastSeen.delete(transport.sessionId);
    };
    await server.createMcpServer().connect(transport);
    await transport.handleRequest(request, response, body);
  };

  // Stateless: one server and transport per POST, closed with its response. A promoted job
  // keeps running (its work is shielded); inline work whose client went away is promoted.
  const inFlight = new Set<Promise<void>>();
  const handleStateless = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'POST') {
      return refuse(
        response,
        405,
        'Method not allowed: this server is stateless (--stateless), send every request as a POST',
        { allow: 'POST' },
      );
    }
    const body = await readJson(request);
    if (body === undefined) {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32700, message: 'Parse error: the request body is not JSON' },
          id: null,
        }),
      );
      return;
    }
    if (server.services.closing) return refuse(response, 503, 'The server is shutting down');
    const mcpServer = server.createMcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
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
      await transport.handleRequest(request, response, body);
    } catch (error) {
      await close();
      throw error;
    }
  };

  const http = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (isSaError(error, 'INVALID_ARGUMENT') && !response.headersSent)
        return refuse(response, 413, error.message, { connection: 'close' });
      logger.error(
        `HTTP request failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (!response.headersSent) refuse(response, 500, 'Internal error');
      else response.end();
    });
  });
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
      await Promise.all(
        [...sessions.values()].map((transport) => transport.close().catch(() => undefined)),
      );
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await Promise.all([...inFlight]);
    },
  };
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
