import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

/** A Streamable HTTP MCP endpoint on 127.0.0.1 with sessions: one McpServer per session. */
export interface HttpTestServer {
  url: URL;
  close(): Promise<void>;
}

/** Starts a real node:http server on an ephemeral port that serves MCP at `/mcp`. */
export async function startHttpServer(createMcpServer: () => McpServer): Promise<HttpTestServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const servers: McpServer[] = [];
  const httpServer: Server = createServer((request, response) => {
    const header = request.headers['mcp-session-id'];
    const sessionId = typeof header === 'string' ? header : undefined;
    let transport = sessionId === undefined ? undefined : transports.get(sessionId);
    const handle = async (): Promise<void> => {
      if (transport === undefined) {
        const created = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            transports.set(id, created);
          },
        });
        created.onclose = () => {
          if (created.sessionId !== undefined) transports.delete(created.sessionId);
        };
        const server = createMcpServer();
        servers.push(server);
        await server.connect(created);
        transport = created;
      }
      await transport.handleRequest(request, response);
    };
    handle().catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    close: async () => {
      await Promise.all(servers.map((server) => server.close()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
