import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPortabilityProblems, portabilityRules } from '../testing/schema-portability';
import type { StdioServer } from '../testing/stdio-server';
import { callJson, startStdioServer } from '../testing/stdio-server';

// What `mcp-inspector --cli --method tools/list --strict` warns about (a `type` array), and the
// other forms some hosts cannot map (see `portabilityRules`), in every tool the server lists.
describe(`tool schemas are portable (${Object.keys(portabilityRules).join(', ')})`, () => {
  let root: string;
  let server: StdioServer;

  beforeAll(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'sa-e2e-schemas-')));
    server = await startStdioServer(['--root', root, '--data-dir', join(root, '.data')]);
  });

  afterAll(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('lists the tools, each with input and output schemas every host reads', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['py_run_script_in_dir', 'py_run_script_in_dir_v2', 'py_job_status']),
    );
    const problems = tools.flatMap((tool) => [
      ...findPortabilityProblems(tool.inputSchema).map(
        (problem) => `${tool.name} inputSchema ${problem.path}: ${problem.rule} ${problem.found}`,
      ),
      ...(tool.outputSchema === undefined ? [] : findPortabilityProblems(tool.outputSchema)).map(
        (problem) => `${tool.name} outputSchema ${problem.path}: ${problem.rule} ${problem.found}`,
      ),
    ]);
    expect(problems).toEqual([]);
  });

  it('still takes null for an optional parameter, as the original server did', async () => {
    const { result, json } = await callJson<{ stdout: string; exit_code: number }>(
      server.client,
      'py_run_script_in_dir',
      {
        directory: root,
        script_path: null,
        script_content: 'print("null is absent")',
        python_version: null,
        env_vars: null,
        env_file: null,
      },
    );
    expect(result.isError).toBeFalsy();
    expect(json).toMatchObject({ stdout: 'null is absent\n', exit_code: 0 });
  });
});
