// The python-runner demo: a real server over stdio, driven by the real SDK client.
// Shows an inline answer, a promotion to a job followed with a progress bar fed by long-polling
// status calls, a cancel that kills the process tree, and a restart that keeps the job history.
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SingleBar } from 'cli-progress';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const bold = (text: string): string => (process.stdout.isTTY ? `\u001b[1m${text}\u001b[0m` : text);
const step = (text: string): void => console.log(`\n${bold(`== ${text}`)}`);

interface JobView {
  status: string;
  progress?: { progress: number; total?: number; message?: string } | null;
  new_stdout?: string;
  result?: unknown;
}

async function startServer(root: string, dataDirectory: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      '--conditions=@sa/source',
      '--import',
      'tsx',
      'src/cli.ts',
      '--root',
      root,
      '--data-dir',
      dataDirectory,
      '--inline-timeout',
      '2',
    ],
    cwd: packageDirectory,
    stderr: 'ignore',
  });
  const client = new Client({ name: 'sa-python-runner-demo', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

async function call<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<T> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const first = result.content[0];
  const text = first?.type === 'text' ? first.text : '';
  if (result.isError) throw new Error(`${name}: ${text}`);
  return JSON.parse(text) as T;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const root = await realpath(await mkdtemp(join(tmpdir(), 'sa-demo-')));
  const dataDirectory = join(root, '.sa-data');
  await writeFile(
    join(root, 'crunch.py'),
    [
      'import time',
      'from smart_async_progress import progress',
      'for step in range(1, 11):',
      '    time.sleep(0.4)',
      '    print(f"chunk {step} crunched", flush=True)',
      '    progress(step, 10, f"chunk {step} of 10")',
      'print("all done")',
    ].join('\n'),
  );
  console.log(`Working in ${root}; the server runs over stdio with a 2 s inline budget.`);
  let client = await startServer(root, dataDirectory);

  step('1. A fast script answers inline');
  const fast = await call<{
    stdout: string;
    exit_code: number;
    elapsed_seconds: number;
    execution_strategy: string;
  }>(client, 'py_run_script_in_dir_v2', {
    directory: root,
    script_content: 'import sys\nprint(f"hello from Python {sys.version.split()[0]}")',
  });
  console.log(
    `stdout: ${fast.stdout.trim()}  (exit_code ${fast.exit_code}, ${fast.elapsed_seconds}s, ${fast.execution_strategy})`,
  );

  step('2. A slow script (about 4 s) moves to the background after the 2 s budget');
  const handle = await call<{ job_id: string; status: string; message: string }>(
    client,
    'py_run_script_in_dir_v2',
    {
      directory: root,
      script_path: 'crunch.py',
      job_label: 'crunch',
    },
  );
  console.log(`handle: status=${handle.status} job_id=${handle.job_id}`);
  console.log(`message: ${handle.message}`);
  const bar = new SingleBar({
    format: '  {bar} {value}/{total} {message}',
    noTTYOutput: true,
    notTTYSchedule: 400,
    hideCursor: true,
  });
  bar.start(10, 0, { message: '' });
  let polls = 0;
  let view: JobView;
  for (;;) {
    polls += 1;
    ({ job: view } = await call<{ job: JobView }>(client, 'py_job_status', {
      job_id: handle.job_id,
      wait_seconds: 10,
    }));
    if (view.progress) bar.update(view.progress.progress, { message: view.progress.message ?? '' });
    if (!['pending', 'running'].includes(view.status)) break;
  }
  bar.stop();
  console.log(
    `job ${view.status} after ${polls} long-polling py_job_status calls (each returns on a change)`,
  );
  console.log(
    `result stdout ends with: ${JSON.stringify(
      String((view.result as { stdout?: string } | undefined)?.stdout ?? '')
        .trim()
        .split('\n')
        .slice(-1)[0],
    )}`,
  );

  step('3. Cancel kills the whole process tree');
  const cancellable = await call<{ job_id: string; status: string }>(
    client,
    'py_run_script_in_dir_v2',
    {
      directory: root,
      async_mode: true,
      job_label: 'to be cancelled',
      script_content:
        'import os, subprocess, sys, time\nchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])\nprint("pids", os.getpid(), child.pid, flush=True)\ntime.sleep(60)',
    },
  );
  let pids: number[] = [];
  while (pids.length === 0) {
    const { job } = await call<{ job: JobView }>(client, 'py_job_status', {
      job_id: cancellable.job_id,
      wait_seconds: 5,
    });
    const line = (job.new_stdout ?? '').split('\n').find((text) => text.startsWith('pids '));
    if (line) pids = line.slice(5).split(' ').map(Number);
  }
  console.log(
    `running: script pid ${pids[0]} with child pid ${pids[1]} (alive: ${pids.map(alive).join(', ')})`,
  );
  const cancelled = await call<{ status: string }>(client, 'py_cancel_job', {
    job_id: cancellable.job_id,
  });
  const { job: afterCancel } = await call<{ job: JobView }>(client, 'py_job_status', {
    job_id: cancellable.job_id,
    wait_seconds: 5,
  });
  for (let attempt = 0; attempt < 50 && pids.some(alive); attempt += 1)
    await new Promise((resolve) => setTimeout(resolve, 50));
  console.log(
    `py_cancel_job: ${cancelled.status}; job now ${afterCancel.status}; processes alive: ${pids.map(alive).join(', ')}`,
  );

  step('4. Restart the server: the job history is kept in the file store');
  await client.close();
  client = await startServer(root, dataDirectory);
  const listed = await call<{
    jobs: { label: string; status: string; created_at?: string; createdAt?: string }[];
    total: number;
  }>(client, 'py_list_jobs', {});
  console.log(`py_list_jobs after restart: total ${listed.total}`);
  for (const job of listed.jobs) console.log(`  - ${job.label}: ${job.status}`);
  await client.close();
  await rm(root, { recursive: true, force: true });
  console.log(`\nDemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
