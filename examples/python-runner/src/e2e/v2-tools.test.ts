import { mkdtempSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  GetTaskResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWheel } from '../testing/build-wheel';
import { isAlive } from '../testing/is-alive';
import type { StdioServer } from '../testing/stdio-server';
import { callForResult, callJson, eventually, startStdioServer } from '../testing/stdio-server';

interface JobStatus {
  job: {
    job_id: string;
    status: string;
    label: string;
    created_at: string;
    progress: { progress: number; total?: number; message?: string } | null;
    result?: { stdout: string; exit_code: number };
    new_stdout?: string;
    new_stderr?: string;
  };
}

// Prints numbered lines with progress, about 1.2 s in all.
const chattyScript = [
  'import time',
  'for i in range(1, 13):',
  '    print(f"line {i}", flush=True)',
  '    print(f"::progress {i}/12 step {i}", flush=True)',
  '    time.sleep(0.1)',
].join('\n');

// Writes its pid and its child's pid to a file, then sleeps.
const treeScript = (pidFile: string): string =>
  [
    'import os, subprocess, sys, time',
    'child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])',
    `open(${JSON.stringify(pidFile)}, "w").write(f"{os.getpid()} {child.pid}")`,
    'print("started", flush=True)',
    'time.sleep(60)',
  ].join('\n');

async function readPids(pidFile: string): Promise<number[]> {
  return eventually(async () => {
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    const pids = text.trim().split(' ').filter(Boolean).map(Number);
    return pids.length === 2 ? pids : undefined;
  });
}

describe('v2 tools over stdio', { timeout: 60_000 }, () => {
  // Created at load time: the it.each tables below need it.
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'sa-e2e-v2-')));
  let server: StdioServer;

  beforeAll(async () => {
    await mkdir(join(root, 'project'));
    await writeFile(join(root, 'project', 'hello.py'), 'print("hello v2")\n');
    server = await startStdioServer([
      '--root',
      root,
      '--data-dir',
      join(root, '.data'),
      '--inline-timeout',
      '0.5',
    ]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lists the v2 tools with async_mode and job_label, and the job tools', async () => {
    const { tools } = await server.client.listTools();
    for (const name of [
      'py_run_script_in_dir_v2',
      'py_run_script_with_dependencies_v2',
      'py_benchmark_script_v2',
      'py_run_saved_script_v2',
    ]) {
      const tool = tools.find((candidate) => candidate.name === name);
      expect(tool?.inputSchema.properties).toHaveProperty('async_mode');
      expect(tool?.inputSchema.properties).toHaveProperty('job_label');
    }
    for (const name of ['py_job_status', 'py_list_jobs', 'py_cancel_job', 'py_prune_jobs']) {
      expect(tools.some((tool) => tool.name === name)).toBe(true);
    }
  });

  it('promotes a slow run: a stored job from the promotion, true creation time, progress, output never repeated', async () => {
    const before = Date.now();
    const handle = await callJson<{ job_id: string; status: string; smart_async: boolean }>(
      server.client,
      'py_run_script_in_dir_v2',
      { directory: root, script_content: chattyScript, job_label: 'chatty' },
    );
    expect(handle.json).toMatchObject({ status: 'running', smart_async: true });
    const jobId = handle.json.job_id;
    const listed = await callJson<{
      jobs: { job_id: string; label: string; created_at: string }[];
    }>(server.client, 'py_list_jobs', {});
    const stored = listed.json.jobs.find((job) => job.job_id === jobId);
    expect(stored?.label).toBe('chatty');
    const createdAt = Date.parse(stored!.created_at);
    expect(createdAt).toBeGreaterThanOrEqual(before - 1000);
    expect(createdAt).toBeLessThan(Date.now() - 400); // the call's start, not the promotion

    let output = '';
    let sawProgress = false;
    let polls = 0;
    let last: JobStatus['job'];
    for (;;) {
      polls += 1;
      ({ job: last } = (
        await callJson<JobStatus>(server.client, 'py_job_status', {
          job_id: jobId,
          wait_seconds: 5,
        })
      ).json);
      output += last.new_stdout ?? '';
      if (last.progress && last.status === 'running') sawProgress = true;
      if (last.status !== 'running' && last.status !== 'pending') break;
    }
    expect(polls).toBeGreaterThan(1); // polled while it ran, and it still completed
    expect(last.status).toBe('completed');
    expect(sawProgress).toBe(true);
    expect(last.progress).toMatchObject({ progress: 12, total: 12 });
    const lines = output.split('\n').filter((line) => line.startsWith('line '));
    expect(lines).toEqual(Array.from({ length: 12 }, (_, index) => `line ${index + 1}`));
    expect(last.result?.stdout).toContain('line 12');
  });

  // VS Code (2025-11-25) asks for a task with `params.task`: the _v2 tools answer a native task
  // at once, followed with tasks/get, tasks/result and tasks/cancel (as before the move to SDK v2).
  it('gives a 2025-11-25 client-directed task: CreateTaskResult at once, progress in tasks/get, the run result from tasks/result', async () => {
    expect(server.client.getServerCapabilities()?.tasks).toEqual({
      list: {},
      cancel: {},
      requests: { tools: { call: {} } },
    });
    const { tools } = await server.client.listTools();
    expect(
      tools.find((tool) => tool.name === 'py_run_script_in_dir_v2')?.execution?.taskSupport,
    ).toBe('optional');
    const created = await server.client.request(
      {
        method: 'tools/call',
        params: {
          name: 'py_run_script_in_dir_v2',
          arguments: { directory: root, script_content: chattyScript },
          task: { ttl: 60_000 },
        },
      },
      CreateTaskResultSchema,
    );
    expect(created.task.status).toBe('working');
    const { taskId } = created.task;
    const getTask = () =>
      server.client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
    // The script's `::progress` lines show in tasks/get while it runs (or it already finished).
    const seen = await eventually(async () => {
      const task = await getTask();
      return task.statusMessage?.startsWith('step ') === true || task.status === 'completed'
        ? task
        : undefined;
    });
    expect(['working', 'completed']).toContain(seen.status);
    const result = await server.client.request(
      { method: 'tasks/result', params: { taskId } },
      CallToolResultSchema,
    );
    const structured = result.structuredContent as { stdout: string; exit_code: number };
    expect(structured.exit_code).toBe(0);
    expect(structured.stdout).toContain('line 12');
    expect((await getTask()).status).toBe('completed');
    const { json } = await callJson<JobStatus>(server.client, 'py_job_status', { job_id: taskId });
    expect(json.job.status).toBe('completed');
  });

  it("the client's own task flow (callToolStream) yields taskCreated, then the script result", async () => {
    await server.client.listTools();
    const stream = server.client.experimental.tasks.callToolStream({
      name: 'py_run_script_in_dir_v2',
      arguments: { directory: root, script_content: 'print("from a task")' },
    });
    const messages: { type: string; result?: { structuredContent?: unknown } }[] = [];
    for await (const message of stream) messages.push(message as (typeof messages)[number]);
    expect(messages[0]?.type).toBe('taskCreated');
    expect(messages.at(-1)?.type).toBe('result');
    expect(messages.at(-1)?.result?.structuredContent).toMatchObject({
      stdout: 'from a task\n',
      exit_code: 0,
    });
  });

  it('tasks/cancel on a client-directed task kills the whole process tree', async () => {
    const pidFile = join(root, 'task-cancel-pids.txt');
    const created = await server.client.request(
      {
        method: 'tools/call',
        params: {
          name: 'py_run_script_in_dir_v2',
          arguments: { directory: root, script_content: treeScript(pidFile) },
          task: { ttl: 60_000 },
        },
      },
      CreateTaskResultSchema,
    );
    const pids = await readPids(pidFile);
    expect(pids.every(isAlive)).toBe(true);
    const cancelled = await server.client.request(
      { method: 'tasks/cancel', params: { taskId: created.task.taskId } },
      GetTaskResultSchema,
    );
    // The ack waits up to cancelWaitMs (1 s) for the tree to stop; on a loaded machine the
    // task may still be stopping then ("working"), never anything else.
    expect(['cancelled', 'working']).toContain(cancelled.status);
    await eventually(() => pids.every((pid) => !isAlive(pid)) || undefined);
    await eventually(async () => {
      const task = await server.client.request(
        { method: 'tasks/get', params: { taskId: created.task.taskId } },
        GetTaskResultSchema,
      );
      return task.status === 'cancelled' || undefined;
    });
  });

  it.each([
    [
      'py_run_script_with_dependencies_v2',
      {
        script_content: 'import time\ntime.sleep(0.8)\nprint("slow deps")',
        auto_parse_imports: false,
      },
      'slow deps\n',
    ],
    [
      'py_benchmark_script_v2',
      {
        script_content: 'import time\ntime.sleep(0.8)\nprint("slow bench")',
        auto_parse_imports: false,
      },
      'slow bench\n',
    ],
    ['py_run_saved_script_v2', { script_name: 'slow_saved' }, 'slow saved\n'],
  ])(
    '%s moves a slow run to a job that completes with the usual result',
    async (tool, args, stdout) => {
      await callJson(server.client, 'py_save_script', {
        script_name: 'slow_saved',
        source: 'import time\ntime.sleep(0.8)\nprint("slow saved")',
        overwrite: true,
      });
      const handle = await callJson<{ job_id: string; status: string }>(server.client, tool, args);
      expect(handle.json.status).toBe('running');
      const done = await eventually(async () => {
        const { json } = await callJson<JobStatus>(server.client, 'py_job_status', {
          job_id: handle.json.job_id,
          wait_seconds: 5,
        });
        return json.job.status === 'completed' ? json.job : undefined;
      });
      expect(done.result).toMatchObject({ stdout, exit_code: 0 });
    },
  );

  it('async_mode returns a handle at once and the job completes', async () => {
    const handle = await callJson<{ job_id: string; status: string }>(
      server.client,
      'py_run_script_in_dir_v2',
      {
        directory: root,
        script_content: 'print("async done")',
        async_mode: true,
      },
    );
    expect(['pending', 'running']).toContain(handle.json.status);
    const done = await eventually(async () => {
      const { json } = await callJson<JobStatus>(server.client, 'py_job_status', {
        job_id: handle.json.job_id,
        wait_seconds: 5,
      });
      return json.job.status === 'completed' ? json.job : undefined;
    });
    expect(done.result).toMatchObject({ stdout: 'async done\n', exit_code: 0 });
  });

  it('py_cancel_job kills the whole process tree of a promoted job', async () => {
    const pidFile = join(root, 'cancel-pids.txt');
    const handle = await callJson<{ job_id: string }>(server.client, 'py_run_script_in_dir_v2', {
      directory: root,
      script_content: treeScript(pidFile),
    });
    const pids = await readPids(pidFile);
    expect(pids.every(isAlive)).toBe(true);
    const cancelled = await callJson(server.client, 'py_cancel_job', {
      job_id: handle.json.job_id,
    });
    expect(cancelled.json).toMatchObject({ job_id: handle.json.job_id, status: 'cancelled' });
    await eventually(() => pids.every((pid) => !isAlive(pid)) || undefined);
    const again = await callJson(server.client, 'py_cancel_job', { job_id: handle.json.job_id });
    expect(again.result.isError).toBe(true);
  });

  it('drains 50 MB of output and keeps the bounded part with a notice', async () => {
    const { json } = await callJson<{ stdout: string; exit_code: number }>(
      server.client,
      'py_run_script_in_dir_v2',
      {
        directory: root,
        script_content:
          'import sys\nblock = "y" * 1023 + "\\n"\nfor _ in range(50 * 1024): sys.stdout.write(block)',
        async_mode: true,
      },
    );
    const done = await eventually(async () => {
      const status = await callJson<JobStatus>(server.client, 'py_job_status', {
        job_id: (json as unknown as { job_id: string }).job_id,
        wait_seconds: 10,
      });
      return status.json.job.status === 'completed' ? status.json.job : undefined;
    }, 30_000);
    expect(done.result?.exit_code).toBe(0);
    expect(done.result?.stdout).toContain('[OUTPUT TRUNCATED]');
    expect(done.result?.stdout.length).toBeLessThan(2 * 1024 * 1024);
  });

  it.each([
    ['py_job_status', { job_id: 'unknown-job' }],
    ['py_cancel_job', { job_id: 'unknown-job' }],
  ])('%s of an unknown job id is an isError result', async (tool, args) => {
    const { result, text } = await callJson(server.client, tool, args);
    expect(result.isError).toBe(true);
    expect(text).toMatch(/not found|No job/i);
  });

  it.each([
    [{ directory: join(root, 'missing'), script_content: 'print(1)' }, /does not exist/],
    [{ directory: root }, /Give one of script_path or script_content/],
    [{ directory: root, script_path: 'a.py', script_content: 'print(1)' }, /not both/],
    [{ directory: '/', script_content: 'print(1)' }, /outside the allowed roots/],
    [
      { directory: root, script_content: 'print(1)', env_file: 'missing.env' },
      /env_file "missing\.env" does not exist/,
    ],
  ])('py_run_script_in_dir_v2 refuses bad input %j', async (args, message) => {
    const { result, text } = await callJson(server.client, 'py_run_script_in_dir_v2', args);
    expect(result.isError).toBe(true);
    expect(text).toMatch(message);
  });
});

describe('v2 inline phase over stdio', { timeout: 60_000 }, () => {
  let root: string;
  let server: StdioServer;

  beforeAll(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'sa-e2e-inline-')));
    await mkdir(join(root, 'project'));
    await writeFile(join(root, 'project', 'hello.py'), 'print("hello v2")\n');
    server = await startStdioServer([
      '--root',
      root,
      '--data-dir',
      join(root, '.data'),
      '--inline-timeout',
      '30',
    ]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers every v2 execution tool inline when fast', async () => {
    const inDir = await callJson(server.client, 'py_run_script_in_dir_v2', {
      directory: join(root, 'project'),
      script_path: 'hello.py',
    });
    expect(inDir.json).toMatchObject({
      stdout: 'hello v2\n',
      exit_code: 0,
      execution_strategy: 'system-python',
    });
    const wheel = await buildWheel({ directory: root, name: 'sa_v2_wheel', value: 'v2 wheel' });
    const withDependencies = await callJson(server.client, 'py_run_script_with_dependencies_v2', {
      script_content: 'import sa_v2_wheel\nprint(sa_v2_wheel.VALUE)',
      dependencies: [wheel],
      auto_parse_imports: false,
    });
    expect(withDependencies.json).toMatchObject({
      stdout: 'v2 wheel\n',
      resolved_dependencies: [wheel],
    });
    const benchmark = await callJson(server.client, 'py_benchmark_script_v2', {
      script_content: 'print(sum(range(10**5)))',
      auto_parse_imports: false,
    });
    expect(benchmark.json).toMatchObject({
      exit_code: 0,
      wall_time_seconds: expect.any(Number) as unknown,
      peak_rss_mb: expect.any(Number) as unknown,
    });
    await callJson(server.client, 'py_save_script', {
      script_name: 'v2saved',
      source: 'print("saved v2")',
    });
    const saved = await callJson(server.client, 'py_run_saved_script_v2', {
      script_name: 'v2saved',
    });
    expect(saved.json).toMatchObject({ stdout: 'saved v2\n', exit_code: 0 });
  });

  it.each(['py_run_script_in_dir_v2', 'py_run_script_in_dir'])(
    '%s sends ::progress lines as MCP progress notifications while inline',
    async (tool) => {
      const updates: { progress: number; total?: number; message?: string }[] = [];
      const result = await server.client.callTool(
        {
          name: tool,
          arguments: {
            directory: root,
            script_content:
              'import time\nfrom smart_async_progress import progress\nfor i in range(1, 4):\n    progress(i, 3, f"step {i}")\n    time.sleep(0.15)',
          },
        },
        undefined,
        { onprogress: (update) => updates.push(update) },
      );
      expect(result.isError).toBeFalsy();
      expect(updates.length).toBeGreaterThan(0);
      expect(updates.at(-1)).toMatchObject({ progress: 3, total: 3, message: 'step 3' });
    },
  );

  it('a client cancel during the inline phase kills the process tree and leaves no job', async () => {
    const pidFile = join(root, 'inline-pids.txt');
    const controller = new AbortController();
    const call = server.client.callTool(
      {
        name: 'py_run_script_in_dir_v2',
        arguments: {
          directory: root,
          script_content: treeScript(pidFile),
          job_label: 'inline-cancel',
        },
      },
      undefined,
      { signal: controller.signal },
    );
    const pids = await readPids(pidFile);
    controller.abort();
    await expect(call).rejects.toThrow();
    await eventually(() => pids.every((pid) => !isAlive(pid)) || undefined);
    const { json } = await callJson<{ jobs: { label: string }[] }>(
      server.client,
      'py_list_jobs',
      {},
    );
    expect(json.jobs.some((job) => job.label === 'inline-cancel')).toBe(false);
  });

  it('a slow script does not delay other calls', async () => {
    const pidFile = join(root, 'slow-pids.txt');
    const release = join(root, 'slow-release');
    let slowDone = false;
    // The slow script runs until the test releases it (a condition, not a sleep), so "slow"
    // means slow on any machine; its call may come back promoted, its result only at the end.
    const slow = callForResult(server.client, 'py_run_script_in_dir_v2', {
      directory: root,
      script_content: `import os, time\nopen(${JSON.stringify(pidFile)}, "w").write("1 2")\nwhile not os.path.exists(${JSON.stringify(release)}): time.sleep(0.02)`,
    }).then(() => {
      slowDone = true;
    });
    await readPids(pidFile);
    const fast = await callForResult(server.client, 'py_run_script_in_dir_v2', {
      directory: root,
      script_content: 'print("quick")',
    });
    expect(fast.json).toMatchObject({ stdout: 'quick\n' });
    const listed = await callJson(server.client, 'py_list_jobs', {});
    expect(listed.result.isError).toBeFalsy();
    expect(slowDone).toBe(false);
    await writeFile(release, '');
    await slow;
  });
});
