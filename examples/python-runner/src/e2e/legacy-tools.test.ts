import { mkdtempSync, realpathSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWheel } from '../testing/build-wheel';
import { isAlive } from '../testing/is-alive';
import type { StdioServer } from '../testing/stdio-server';
import { callJson, eventually, startStdioServer } from '../testing/stdio-server';

describe('legacy tools over stdio', { timeout: 60_000 }, () => {
  // Created at load time: the it.each tables below need it.
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'sa-e2e-legacy-')));
  const dataDirectory = join(root, '.data');
  let server: StdioServer;

  beforeAll(async () => {
    await mkdir(join(root, 'project'));
    await writeFile(
      join(root, 'project', 'hello.py'),
      'import sys, os\nprint("hello", *sys.argv[1:], os.environ.get("NAME", ""))\n',
    );
    await writeFile(join(root, 'project', '.env'), 'NAME=from-env-file\n');
    server = await startStdioServer([
      '--root',
      root,
      '--data-dir',
      dataDirectory,
      '--inline-timeout',
      '0.3',
    ]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lists every legacy tool, each description naming its replacement', async () => {
    const { tools } = await server.client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    const replacements: Record<string, string> = {
      py_run_script_in_dir: 'py_run_script_in_dir_v2',
      py_run_script_with_dependencies: 'py_run_script_with_dependencies_v2',
      py_run_script_in_dir_async: 'py_run_script_in_dir_v2',
      py_run_script_with_dependencies_async: 'py_run_script_with_dependencies_v2',
      py_list_running_jobs: 'py_list_jobs',
      py_get_job_output: 'py_job_status',
      py_kill_job: 'py_cancel_job',
      py_cleanup_jobs: 'py_prune_jobs',
      py_benchmark_script: 'py_benchmark_script_v2',
      py_run_saved_script: 'py_run_saved_script_v2',
    };
    for (const [name, replacement] of Object.entries(replacements)) {
      expect(byName.get(name)?.description).toMatch(new RegExp(`DEPRECATED: use ${replacement}`));
    }
    expect(byName.has('py_save_script')).toBe(true);
    expect(byName.has('py_list_scripts')).toBe(true);
  });

  it('py_run_script_in_dir runs a file with args and env_file, result shape as before', async () => {
    const { result, json } = await callJson(server.client, 'py_run_script_in_dir', {
      directory: join(root, 'project'),
      script_path: 'hello.py',
      args: ['a'],
      env_file: '.env',
    });
    expect(result.isError).toBeFalsy();
    expect(json).toEqual({
      stdout: 'hello a from-env-file\n',
      stderr: '',
      exit_code: 0,
      execution_strategy: 'system-python',
      elapsed_seconds: expect.any(Number) as unknown,
    });
  });

  it('a timeout kills the tree, keeps partial output, appends [TIMEOUT], integer exit_code', async () => {
    const { json } = await callJson<{ stdout: string; stderr: string; exit_code: number }>(
      server.client,
      'py_run_script_in_dir',
      {
        directory: root,
        script_content: 'import time\nprint("started", flush=True)\ntime.sleep(30)',
        // Long enough for python to start and print on a loaded machine, far below the sleep.
        timeout_seconds: 5,
      },
    );
    expect(json.stdout).toBe('started\n');
    expect(json.stderr).toContain('[TIMEOUT]');
    expect(json.exit_code).toBe(-9);
  });

  it('py_run_script_with_dependencies installs a local wheel with no network', async () => {
    const wheel = await buildWheel({ directory: root, name: 'sa_e2e_wheel', value: 'wheel ok' });
    const { json } = await callJson(server.client, 'py_run_script_with_dependencies', {
      script_content: 'import sa_e2e_wheel\nprint(sa_e2e_wheel.VALUE)',
      dependencies: [wheel],
      auto_parse_imports: false,
    });
    expect(json).toMatchObject({
      stdout: 'wheel ok\n',
      exit_code: 0,
      execution_strategy: 'system-python',
      resolved_dependencies: [wheel],
      python_version_used: expect.stringMatching(/^3\./) as unknown,
    });
  });

  it('py_benchmark_script reports wall, CPU and memory', async () => {
    const { json } = await callJson(server.client, 'py_benchmark_script', {
      script_content:
        'x = bytearray(30 * 1024 * 1024)\nfor i in range(0, len(x), 4096): x[i] = 1\nprint("done")',
      auto_parse_imports: false,
      sample_interval: 0.01,
    });
    expect(json).toMatchObject({ stdout: 'done\n', exit_code: 0 });
    expect(json.wall_time_seconds).toBeGreaterThan(0);
    expect(json.cpu_time_seconds).toBeGreaterThan(0);
    expect(json.peak_rss_mb).toBeGreaterThanOrEqual(30);
  });

  it('py_save_script, py_list_scripts and py_run_saved_script', async () => {
    const saved = await callJson(server.client, 'py_save_script', {
      script_name: 'greet',
      source: '"""Greets the caller."""\nimport sys\nprint("hi", sys.argv[1])',
    });
    expect(saved.json).toMatchObject({
      written: true,
      path: join(dataDirectory, 'scripts', 'greet.py'),
    });
    const listed = await callJson<{ name: string; docstring: string; header: string }[]>(
      server.client,
      'py_list_scripts',
    );
    expect(listed.json).toEqual([
      expect.objectContaining({
        name: 'greet',
        docstring: 'Greets the caller.',
        header: expect.stringContaining('# /// script') as unknown,
      }),
    ]);
    const ran = await callJson(server.client, 'py_run_saved_script', {
      script_name: 'greet',
      args: ['you'],
    });
    expect(ran.json).toMatchObject({ stdout: 'hi you\n', exit_code: 0 });
  });

  it('an _async job runs in the store: list, output, resource, kill of the whole tree, cleanup', async () => {
    const started = await callJson<{ job_id: string; status: string; execution_strategy: string }>(
      server.client,
      'py_run_script_in_dir_async',
      {
        directory: root,
        script_content:
          'import os, subprocess, sys, time\nchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])\nprint("PIDS", os.getpid(), child.pid, flush=True)\ntime.sleep(60)',
        stream: true,
      },
    );
    expect(started.json).toEqual({
      job_id: expect.any(String) as unknown,
      status: 'started',
      execution_strategy: 'system-python',
    });
    const jobId = started.json.job_id;
    const output = await eventually(async () => {
      const { json } = await callJson<{ status: string; stdout: string }>(
        server.client,
        'py_get_job_output',
        { job_id: jobId },
      );
      return json.stdout.includes('PIDS') ? json : undefined;
    });
    expect(output).toMatchObject({ status: 'running', exit_code: null });
    const pids = output.stdout.split('\n')[0]!.split(' ').slice(1).map(Number);
    expect(pids.every(isAlive)).toBe(true);

    const listed = await callJson<
      { job_id: string; running: boolean; pid: number; stream: boolean }[]
    >(server.client, 'py_list_running_jobs');
    expect(listed.json.find((job) => job.job_id === jobId)).toMatchObject({
      running: true,
      pid: pids[0],
      stream: true,
    });

    const resource = await server.client.readResource({ uri: `job-stream://${jobId}` });
    expect(resource.contents[0]).toMatchObject({
      text: expect.stringMatching(/^---STDOUT---\nPIDS .*---STDERR---\n/s) as unknown,
    });

    const killed = await callJson(server.client, 'py_kill_job', { job_id: jobId });
    expect(killed.json).toEqual({ job_id: jobId, status: 'killed', exit_code: -9 });
    await eventually(() => pids.every((pid) => !isAlive(pid)) || undefined);
    const again = await callJson(server.client, 'py_kill_job', { job_id: jobId });
    expect(again.json).toMatchObject({ status: 'already-finished' });
    const finished = await callJson(server.client, 'py_get_job_output', { job_id: jobId });
    expect(finished.json).toMatchObject({ status: 'finished', job_status: 'cancelled' });

    const cleaned = await callJson<{ removed: number; remaining: number; inline_deleted: number }>(
      server.client,
      'py_cleanup_jobs',
      {},
    );
    expect(cleaned.json.removed).toBeGreaterThanOrEqual(1);
    expect(cleaned.json).toMatchObject({ remaining: 0, inline_deleted: 0 });
    expect(await readdir(join(dataDirectory, 'inline'))).toEqual([]);
  });

  it('an _async job with dependencies completes and keeps its result', async () => {
    const started = await callJson<{
      job_id: string;
      resolved_dependencies: string[];
      python_version_used: string;
      status: string;
    }>(server.client, 'py_run_script_with_dependencies_async', {
      script_content: 'import json\nprint(json.dumps({"ok": True}))',
    });
    expect(started.json).toMatchObject({ status: 'started', resolved_dependencies: [] });
    const done = await eventually(async () => {
      const { json } = await callJson<{ status: string }>(server.client, 'py_get_job_output', {
        job_id: started.json.job_id,
      });
      return json.status === 'finished' ? json : undefined;
    });
    expect(done).toMatchObject({ stdout: '{"ok": true}\n', exit_code: 0, job_status: 'completed' });
  });

  it('killing a pending _async job removes its inline script; cleanup with only_finished=false kills the rest', async () => {
    const start = () =>
      callJson<{ job_id: string }>(server.client, 'py_run_script_in_dir_async', {
        directory: root,
        script_content: 'import time; time.sleep(60)',
      });
    const running = await Promise.all([start(), start(), start(), start()]);
    const pending = await start();
    const view = await callJson(server.client, 'py_get_job_output', {
      job_id: pending.json.job_id,
    });
    expect(view.json).toMatchObject({ status: 'running', job_status: 'pending' });
    expect(await readdir(join(dataDirectory, 'inline'))).toHaveLength(5);
    const killed = await callJson(server.client, 'py_kill_job', { job_id: pending.json.job_id });
    expect(killed.json).toMatchObject({ status: 'killed' });
    expect(await readdir(join(dataDirectory, 'inline'))).toHaveLength(4);
    const cleaned = await callJson<{ removed: number; remaining: number }>(
      server.client,
      'py_cleanup_jobs',
      {
        only_finished: false,
      },
    );
    expect(cleaned.json.removed).toBeGreaterThanOrEqual(running.length + 1);
    expect(cleaned.json.remaining).toBe(0);
    expect(await readdir(join(dataDirectory, 'inline'))).toEqual([]);
  });

  it.each([
    [
      'a missing directory',
      'py_run_script_in_dir',
      { directory: join(root, 'missing'), script_content: 'print(1)' },
      /directory .* does not exist/,
    ],
    [
      'both script_path and script_content',
      'py_run_script_in_dir',
      { directory: root, script_path: 'x.py', script_content: 'print(1)' },
      /not both/,
    ],
    [
      'neither script_path nor script_content',
      'py_run_script_in_dir_async',
      { directory: root },
      /Give one of script_path or script_content/,
    ],
    [
      'a directory outside the roots',
      'py_run_script_in_dir',
      { directory: '/', script_content: 'print(1)' },
      /outside the allowed roots: /,
    ],
    [
      'a script outside the roots',
      'py_run_script_with_dependencies',
      { script_path: '/etc/hostname' },
      /outside the allowed roots/,
    ],
    [
      'a missing env_file',
      'py_run_script_in_dir',
      { directory: root, script_content: 'print(1)', env_file: 'nope.env' },
      /env_file "nope\.env" does not exist/,
    ],
    [
      'a bad env var name',
      'py_run_script_in_dir',
      { directory: root, script_content: 'print(1)', env_vars: { 'A B': 'x' } },
      /not a valid environment variable name/,
    ],
    [
      'an unknown job id',
      'py_get_job_output',
      { job_id: 'no-such-job' },
      /No job with job_id "no-such-job"/,
    ],
    [
      'an unknown job id to kill',
      'py_kill_job',
      { job_id: 'no-such-job' },
      /No job with job_id "no-such-job"/,
    ],
    [
      'an unknown saved script',
      'py_run_saved_script',
      { script_name: 'nope' },
      /No saved script named "nope"/,
    ],
  ])('%s is an isError result with a clear message', async (_name, tool, args, message) => {
    const { result, text } = await callJson(server.client, tool, args);
    expect(result.isError).toBe(true);
    expect(text).toMatch(message);
  });
});
