import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioClientTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  GetTaskResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';

// The README's v2 example over stdio, with the SDK v2 client (2026-07-28) and the SDK v1
// client (2025 era) against the same process kind.

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = join(packageDirectory, 'src', 'sdk-v2', 'test-support', 'readme-example.ts');
const workDirectory = mkdtempSync(join(tmpdir(), 'sa-readme-v2-'));
// The example runs in a scratch folder (its jobs go there): tsx is named by its full path.
const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs'),
).href;
const command = {
  command: process.execPath,
  args: ['--conditions=@sa/source', '--import', tsxLoader, example],
  cwd: workDirectory,
  env: { ...(process.env as Record<string, string>), NODE_PATH: '' },
};

describe('README v2 example over stdio', () => {
  afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

  it('answers a 2026-07-28 client inline', async () => {
    const client = new Client(
      { name: 'readme-v2', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(new StdioClientTransport(command));
    try {
      const result = await client.callTool({ name: 'crunch', arguments: { steps: 1 } });
      expect(result.structuredContent).toEqual({ total: 1 });
    } finally {
      await client.close();
    }
  }, 60_000);

  it('answers a 2025-era client, and lists the job tools', async () => {
    const client = new ClientV1({ name: 'readme-v1', version: '1.0.0' });
    await client.connect(new StdioClientTransportV1(command));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        'crunch',
        'crunch_cancel_job',
        'crunch_job_status',
        'crunch_list_jobs',
        'crunch_prune_jobs',
      ]);
      const result = await client.callTool({ name: 'crunch', arguments: { steps: 1 } });
      expect(result.structuredContent).toEqual({ total: 1 });
    } finally {
      await client.close();
    }
  }, 60_000);

  it('gives a 2025-era client a client-directed task (params.task) over stdio', async () => {
    const client = new ClientV1({ name: 'readme-v1-tasks', version: '1.0.0' });
    await client.connect(new StdioClientTransportV1(command));
    try {
      expect(client.getServerCapabilities()?.tasks?.requests?.tools?.call).toEqual({});
      const created = await client.request(
        {
          method: 'tools/call',
          params: { name: 'crunch', arguments: { steps: 1 }, task: { ttl: 60_000 } },
        },
        CreateTaskResultSchema,
      );
      expect(created.task.status).toBe('working');
      const result = await client.request(
        { method: 'tasks/result', params: { taskId: created.task.taskId } },
        CallToolResultSchema,
      );
      expect(result.structuredContent).toEqual({ total: 1 });
      const done = await client.request(
        { method: 'tasks/get', params: { taskId: created.task.taskId } },
        GetTaskResultSchema,
      );
      expect(done.status).toBe('completed');
    } finally {
      await client.close();
    }
  }, 60_000);
});
