import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { AuthInfo } from '@modelcontextprotocol/server';

/** Anything with a web-standard `fetch(request)`: `createMcpHandler(...)`'s handler. */
export interface FetchHandler {
  fetch(request: Request, options?: { authInfo?: AuthInfo }): Promise<Response>;
}

/**
 * Test-only identity: `Authorization: Bearer <subject>` becomes an `AuthInfo` whose
 * `extra.sub` is the subject (a real server verifies a token here, e.g. `requireBearerAuth`).
 */
function authInfoOf(request: IncomingMessage): AuthInfo | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ') !== true) return undefined;
  const subject = header.slice('Bearer '.length);
  return { token: subject, clientId: 'test-client', scopes: [], extra: { sub: subject } };
}

/** A node:http server on 127.0.0.1 that serves a fetch handler at `/mcp`. */
export interface V2HttpServer {
  url: URL;
  close(): Promise<void>;
}

/** Starts a real HTTP server on an ephemeral loopback port in front of a fetch handler. */
export async function startV2HttpServer(handler: FetchHandler): Promise<V2HttpServer> {
  const httpServer: Server = createServer((request, response) => {
    serve(handler, request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}

async function serve(
  handler: FetchHandler,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const controller = new AbortController();
  response.on('close', () => controller.abort());
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  const body = chunks.length === 0 ? undefined : Buffer.concat(chunks);
  const answer = await handler.fetch(
    new Request(`http://${request.headers.host ?? '127.0.0.1'}${request.url ?? '/'}`, {
      method: request.method ?? 'GET',
      headers,
      ...(body === undefined || request.method === 'GET' ? {} : { body }),
      signal: controller.signal,
    }),
    { authInfo: authInfoOf(request) },
  );
  response.writeHead(answer.status, Object.fromEntries(answer.headers.entries()));
  if (answer.body === null) {
    response.end();
    return;
  }
  const stream = Readable.fromWeb(answer.body);
  response.on('close', () => stream.destroy());
  stream.pipe(response);
}

/** The Tasks extension id, spelled out so tests do not take it from the code under test. */
export const tasksExtension = 'io.modelcontextprotocol/tasks';

/** Options of one raw 2026-07-28 request. */
export interface RawRequestOptions {
  /** Declare the Tasks extension in the request's client capabilities (default true). */
  extension?: boolean;
  /** The `Mcp-Name` header (tool name, or task id on `tasks/*`). */
  name?: string;
  /** Extra headers (for example `authorization`). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** One JSON-RPC answer. */
export type RawAnswer =
  | { kind: 'result'; result: Record<string, unknown>; status: number }
  | { kind: 'error'; error: { code: number; message: string; data?: unknown }; status: number };

let nextId = 1;

/** Sends one 2026-07-28 JSON-RPC request with `fetch` and reads its answer (JSON or SSE). */
export async function rawRequest(
  url: URL,
  method: string,
  params: Record<string, unknown>,
  options: RawRequestOptions = {},
): Promise<RawAnswer> {
  const meta = (params['_meta'] as Record<string, unknown> | undefined) ?? {};
  const body = {
    jsonrpc: '2.0',
    id: nextId++,
    method,
    params: {
      ...params,
      _meta: {
        ...meta,
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': { name: 'raw-fetch', version: '1.0.0' },
        'io.modelcontextprotocol/clientCapabilities':
          options.extension === false ? {} : { extensions: { [tasksExtension]: {} } },
      },
    },
  };
  return postJsonRpc(
    url,
    body,
    {
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...(options.name === undefined ? {} : { 'mcp-name': options.name }),
      ...options.headers,
    },
    options.signal,
  );
}

/** POSTs one JSON-RPC message and returns the response with its id (from JSON or an SSE stream). */
export async function postJsonRpc(
  url: URL,
  message: Record<string, unknown>,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<RawAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(message),
    ...(signal === undefined ? {} : { signal }),
  });
  const text = await response.text();
  const messages =
    response.headers.get('content-type')?.includes('text/event-stream') === true
      ? text
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => JSON.parse(line.slice(5)) as Record<string, unknown>)
      : [JSON.parse(text) as Record<string, unknown>];
  const answer = messages.find((candidate) => candidate['id'] === message['id']);
  if (answer === undefined)
    throw new Error(`No answer in HTTP ${response.status}: ${text.slice(0, 500)}`);
  if ('error' in answer) {
    return {
      kind: 'error',
      error: answer['error'] as { code: number; message: string },
      status: response.status,
    };
  }
  return {
    kind: 'result',
    result: answer['result'] as Record<string, unknown>,
    status: response.status,
  };
}
