import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

/** A client connected to a server over a linked in-memory transport pair. */
export interface InMemoryPair {
  client: Client;
  clientTransport: InMemoryTransport;
  serverTransport: InMemoryTransport;
  close(): Promise<void>;
}

/** Connects a fresh SDK client (with the tasks capability) to `server`. */
export async function connectInMemory(server: McpServer): Promise<InMemoryPair> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client(
    { name: 'test-client', version: '1.0.0' },
    { capabilities: { tasks: { list: {}, cancel: {} } } },
  );
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return {
    client,
    clientTransport,
    serverTransport,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}
