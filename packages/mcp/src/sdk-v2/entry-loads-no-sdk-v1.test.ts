import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// A resolve hook that refuses SDK v1: loading the v2 entry must never need it.
const refuseSdkV1 = `data:text/javascript,${encodeURIComponent(
  `export async function resolve(specifier, context, next) {
    if (specifier.startsWith('@modelcontextprotocol/sdk')) throw new Error('SDK v1 was loaded: ' + specifier + ' from ' + context.parentURL);
    return next(specifier, context);
  }`,
)}`;

describe('@sa/mcp/sdk-v2', () => {
  it('loads and serves without ever resolving @modelcontextprotocol/sdk', async () => {
    const script = `
      import { register } from 'node:module';
      register(${JSON.stringify(refuseSdkV1)});
      const v2 = await import('@sa/mcp/sdk-v2');
      const { McpServer } = await import('@modelcontextprotocol/server');
      const { createJobManager, createMemoryJobStore } = await import('@sa/jobs');
      const jobs = createJobManager({ store: createMemoryJobStore() });
      const smart = v2.createSmartTools(new McpServer({ name: 'x', version: '1' }), { jobs });
      smart.tool('t', {}, () => 1);
      smart.jobTools();
      await jobs.close({ graceMs: 0 });
      console.log('loaded', typeof v2.createSmartTools);
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@sa/source', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: packageDirectory },
    );
    expect(stdout.trim()).toBe('loaded function');
  }, 60_000);
});
