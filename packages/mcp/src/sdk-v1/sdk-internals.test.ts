import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { currentRequestHandler } from './sdk-internals';

// If this file fails after an SDK upgrade, the SDK moved what @sa/mcp reads in
// sdk-internals.ts: adapt that module (and only it), then widen the peer range.
describe('SDK v1 internals @sa/mcp relies on', () => {
  it('keeps request handlers in a Map, installs tools/call on the first registerTool, and returns what setRequestHandler installed', () => {
    const server = new McpServer({ name: 'internals', version: '1.0.0' });
    expect(currentRequestHandler(server, 'tools/call')).toBeUndefined();
    server.registerTool('plain', { inputSchema: { n: z.number() } }, () => ({ content: [] }));
    const installed = currentRequestHandler(server, 'tools/call');
    expect(typeof installed).toBe('function');
    expect(currentRequestHandler(server, 'tools/list')).toBeTypeOf('function');
    server.server.setRequestHandler(CallToolRequestSchema, () => Promise.resolve({ content: [] }));
    const replaced = currentRequestHandler(server, 'tools/call');
    expect(replaced).toBeTypeOf('function');
    expect(replaced).not.toBe(installed);
  });

  it('fails loudly, naming the supported range, when the handlers are not where 1.32 keeps them', () => {
    const server = new McpServer({ name: 'internals', version: '1.0.0' });
    const moved = server.server as unknown as { _requestHandlers?: unknown };
    moved._requestHandlers = undefined;
    expect(() => currentRequestHandler(server, 'tools/call')).toThrow(/supports ~1\.32/);
  });
});
