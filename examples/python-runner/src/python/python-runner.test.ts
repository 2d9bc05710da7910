import { chmod, mkdir, mkdtemp, readdir, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWheel } from '../testing/build-wheel';
import { findHelperDirectory } from './helper-directory';
import type { PythonRunner } from './python-runner';
import { createPythonRunner } from './python-runner';

describe('createPythonRunner', () => {
  let root: string;
  let dataDirectory: string;
  let runner: PythonRunner;
  beforeAll(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'sa-runner-')));
    dataDirectory = join(root, '.data');
    await mkdir(join(root, 'project'));
    await writeFile(join(root, 'project', 'helper.py'), 'NAME = "helper"\n');
    await writeFile(
      join(root, 'project', 'main.py'),
      'import sys, os\nprint(sys.argv[1:], os.getcwd())\n',
    );
    await writeFile(join(root, 'project', '.env'), 'GREETING="from file"\nOTHER=file\n');
    runner = createPythonRunner({
      python: 'python3',
      roots: [root],
      dataDirectory,
      maxOutputBytes: 1024 * 1024,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      helperDirectory: findHelperDirectory(),
    });
  });

  it('runs a script file in its directory with arguments', async () => {
    const run = await runner.prepare('in-directory', {
      directory: 'project',
      script_path: 'main.py',
      args: ['a', 'b'],
    });
    const result = await runner.execute(run);
    expect(result).toMatchObject({
      stdout: `['a', 'b'] ${join(root, 'project')}\n`,
      stderr: '',
      exit_code: 0,
      execution_strategy: 'system-python',
    });
    expect(result.elapsed_seconds).toBeGreaterThan(0);
  });

  it('runs inline content that imports beside it and the helper, then removes the temporary file', async () => {
    const run = await runner.prepare('in-directory', {
      directory: join(root, 'project'),
      script_content:
        'import os, helper\nfrom smart_async_progress import progress\nprogress(1, 2, "half")\nprint(helper.NAME, os.environ["GREETING"], os.environ["OTHER"])',
      env_file: '.env',
      env_vars: { OTHER: 'vars' },
    });
    const updates: unknown[] = [];
    const result = await runner.execute(run, { onProgress: (update) => updates.push(update) });
    expect(result.stdout).toContain('helper from file vars');
    expect(result.exit_code).toBe(0);
    expect(updates).toEqual([{ progress: 1, total: 2, message: 'half' }]);
    expect(await readdir(join(dataDirectory, 'inline'))).toEqual([]);
  });

  it.each([
    [{ directory: 'project' }, 'Give one of script_path or script_content'],
    [{ directory: 'project', script_path: 'main.py', script_content: 'x' }, 'not both'],
    [{ directory: 'nowhere', script_content: 'x' }, 'directory "nowhere" does not exist'],
    [{ directory: '/', script_content: 'x' }, 'outside the allowed roots'],
    [{ directory: 'project', script_path: '../../../etc/passwd' }, 'outside the allowed roots'],
    [
      { directory: 'project', script_content: 'x', env_file: 'missing.env' },
      'env_file "missing.env" does not exist',
    ],
    [
      { directory: 'project', script_content: 'x', env_vars: { 'BAD-NAME': '1' } },
      'not a valid environment variable name',
    ],
    [
      { directory: 'project', script_content: 'x', python_version: '2.7', use_uv: false },
      'python_version "2.7" cannot be satisfied',
    ],
    [{ directory: 'project', script_content: 'x', timeout_seconds: -1 }, 'timeout_seconds'],
  ])('refuses %j', async (request, message) => {
    await expect(runner.prepare('in-directory', request)).rejects.toThrow(message);
    expect(await readdir(join(dataDirectory, 'inline')).catch(() => [])).toEqual([]);
  });

  it(
    'installs dependencies (local wheel plus parsed imports) into a cached environment',
    { timeout: 60_000 },
    async () => {
      const wheel = await buildWheel({
        directory: root,
        name: 'sa_runner_wheel',
        value: 'wheel value',
      });
      const run = await runner.prepare('with-dependencies', {
        script_content: 'import json\nfrom sa_runner_wheel import VALUE\nprint(VALUE)',
        dependencies: [wheel],
        auto_parse_imports: false,
      });
      expect(run.dependencies).toEqual([wheel]);
      const result = await runner.execute(run);
      expect(result).toMatchObject({
        stdout: 'wheel value\n',
        exit_code: 0,
        resolved_dependencies: [wheel],
      });
      expect(result.python_version_used).toMatch(/^3\./);
    },
  );

  it('parses imports into distribution names for with-dependencies', async () => {
    const run = await runner.prepare('with-dependencies', {
      script_content: 'import yaml, os\nfrom . import x',
    });
    expect(run.dependencies).toEqual(['PyYAML']);
    await run.dispose();
  });

  it('benchmarks wall time, CPU time and peak memory of the child', async () => {
    const run = await runner.prepare('with-dependencies', {
      script_content:
        'import time\ndata = bytearray(80 * 1024 * 1024)\nfor i in range(0, len(data), 4096): data[i] = 1\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\ntime.sleep(0.2)',
      auto_parse_imports: false,
    });
    const result = await runner.execute(run, { benchmark: { sampleIntervalMs: 20 } });
    expect(result.exit_code).toBe(0);
    expect(result.cpu_time_seconds).toBeGreaterThanOrEqual(0.3);
    expect(result.peak_rss_mb).toBeGreaterThanOrEqual(80);
    expect(result.wall_time_seconds).toBeGreaterThanOrEqual(0.5);
  });

  it('uses uv when it is on PATH and use_uv is true', async () => {
    const bin = join(root, 'bin');
    await mkdir(bin, { recursive: true });
    // A stand-in uv that records its arguments and runs the script with python3.
    await writeFile(
      join(bin, 'uv'),
      `#!/bin/sh\necho "uv $*" >&2\nfor last; do :; done\nshift 2\nwhile [ "$1" != "" ] && [ "\${1#--}" != "$1" ]; do shift 2; done\nexec python3 "$@"\n`,
    );
    await chmod(join(bin, 'uv'), 0o755);
    const withUv = createPythonRunner({
      ...runner.settings,
      env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: process.env.HOME },
    });
    const run = await withUv.prepare('in-directory', {
      directory: 'project',
      script_path: 'main.py',
      python_version: '3.99',
    });
    const result = await withUv.execute(run);
    expect(result.execution_strategy).toBe('uv-run');
    expect(result.stderr).toContain(
      `uv run --no-project --python 3.99 ${join(root, 'project', 'main.py')}`,
    );
    const without = await withUv.prepare('in-directory', {
      directory: 'project',
      script_path: 'main.py',
      use_uv: false,
    });
    expect(without.strategy).toBe('system-python');
  });
});
