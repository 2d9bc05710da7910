// The python-runner demo: a real server over stdio, driven by the real SDK client.
// Shows an inline answer, a promotion to a job followed with a progress bar fed by long-polling
// status calls, a cancel that kills the process tree, and a restart that keeps the job history.
// Every call may go either way (a busy machine can push even the fast script past the budget),
// and the demo's folder is removed whatever happens: success, failure, Ctrl-C or SIGTERM.
//
//   pnpm demo                              # from the repository root
//   pnpm run demo --inline-timeout 0       # from this folder, with another budget (seconds)
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SingleBar } from 'cli-progress';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const bold = (text: string): string => (process.stdout.isTTY ? `\u001b[1m${text}\u001b[0m` : text);
const step = (text: string): void => console.log(`\n${bold(`== ${text}`)}`);

const argv = process.argv.slice(2);
const { values: options } = parseArgs({
  // `pnpm run demo -- --inline-timeout 1` passes the `--` along.
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: { 'inline-timeout': { type: 'string', default: '2' } },
});
const budgetSeconds = Number(options['inline-timeout']);
if (!Number.isFinite(budgetSeconds) || budgetSeconds < 0) {
  console.error(
    `--inline-timeout must be a number of seconds >= 0, got ${options['inline-timeout']}`,
  );
  process.exit(2);
}

interface JobView {
  job_id: string;
  label: string;
  status: string;
  progress?: { progress: number; total?: number; message?: string } | null;
  new_stdout?: string;
  result?: unknown;
  error?: { code: string; message: string } | null;
}

interface RunResult {
  stdout: string;
  stderr: string;
  exit_code: number;
  elapsed_seconds: number;
  execution_strategy: string;
}

interface JobHandle {
  job_id: string;
  status: string;
  message: string;
  smart_async: true;
}

const finalStatuses = ['completed', 'failed', 'cancelled', 'interrupted'];

/** The running demo's resources, released once by `cleanUp` on every way out. */
const state: {
  root?: string;
  client?: Client;
  /** The server process's id, to wait for its exit. */
  serverPid?: number;
  serverLog: string[];
  interrupted?: NodeJS.Signals;
} = { serverLog: [] };
let cleaning: Promise<void> | undefined;

/**
 * Closes the client and waits until the server process is gone: the SDK ends its stdin, then
 * sends SIGTERM, then SIGKILL, but does not wait for a killed server (a busy machine can need
 * more than its 4 s), and the server must be gone before its data folder is removed.
 */
async function stopServer(): Promise<void> {
  const { client, serverPid } = state;
  state.client = undefined;
  await client?.close().catch(() => undefined);
  while (serverPid !== undefined && alive(serverPid))
    await new Promise((resolve) => setTimeout(resolve, 50));
}

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    // Closing the client ends the server (stdin closed, then SIGTERM, then SIGKILL), which
    // kills its scripts and settles their jobs before the folder holding them is removed.
    await stopServer();
    if (state.root) await rm(state.root, { recursive: true, force: true, maxRetries: 10 });
  })();
  return cleaning;
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  // `on`, not `once`: Ctrl-C reaches every process of the group, and a wrapper may forward it
  // again; a second signal must not kill the demo before it has cleaned up.
  process.on(signal, () => {
    if (state.interrupted) return;
    state.interrupted = signal;
    console.log(`\n${signal}: stopping the server and removing ${state.root ?? 'nothing yet'}`);
    cleanUp().then(
      () => process.exit(code),
      (error: unknown) => {
        console.error(`Could not remove ${state.root}: ${String(error)}`);
        process.exit(code);
      },
    );
  });
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
      String(budgetSeconds),
    ],
    cwd: packageDirectory,
    stderr: 'pipe',
  });
  // Kept to show on failure; the last lines are enough.
  transport.stderr?.on('data', (chunk: Buffer) => {
    state.serverLog.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    state.serverLog.splice(0, Math.max(0, state.serverLog.length - 20));
  });
  const client = new Client({ name: 'sa-python-runner-demo', version: '1.0.0' });
  state.client = client;
  await client.connect(transport);
  state.serverPid = transport.pid ?? undefined;
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

function isHandle(value: unknown): value is JobHandle {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Partial<JobHandle>).smart_async === true &&
    typeof (value as Partial<JobHandle>).job_id === 'string'
  );
}

/** Long-polls `py_job_status` until the job ends; `onView` sees every answer. */
async function follow(
  client: Client,
  jobId: string,
  onView: (view: JobView) => void = () => undefined,
): Promise<{ view: JobView; polls: number }> {
  for (let polls = 1; ; polls += 1) {
    const { job } = await call<{ job: JobView }>(client, 'py_job_status', {
      job_id: jobId,
      wait_seconds: 10,
    });
    onView(job);
    if (finalStatuses.includes(job.status)) return { view: job, polls };
  }
}

/** The run result of a finished job, or an error naming how it ended. */
function runResultOf(view: JobView): RunResult {
  if (view.status === 'completed' && typeof view.result === 'object' && view.result !== null)
    return view.result as RunResult;
  throw new Error(
    `job ${view.job_id} ended ${view.status}${view.error ? `: ${view.error.code}: ${view.error.message}` : ''}`,
  );
}

const lastLine = (text: string): string => text.trim().split('\n').slice(-1)[0] ?? '';

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
  state.root = root;
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
  console.log(
    `Working in ${root}; the server runs over stdio with a ${budgetSeconds} s inline budget.`,
  );
  let client = await startServer(root, dataDirectory);

  step('1. A fast script answers inline (unless the machine is too busy to finish it in time)');
  const fast = await call<RunResult | JobHandle>(client, 'py_run_script_in_dir_v2', {
    directory: root,
    script_content: 'import sys\nprint(f"hello from Python {sys.version.split()[0]}")',
  });
  let hello: RunResult;
  if (isHandle(fast)) {
    console.log(
      `The script did not finish within the ${budgetSeconds} s budget (a busy machine, or a short budget), so the call returned job ${fast.job_id}; following it with py_job_status.`,
    );
    const { view, polls } = await follow(client, fast.job_id);
    hello = runResultOf(view);
    console.log(`job ${view.status} after ${polls} py_job_status call(s)`);
  } else {
    hello = fast;
    console.log('answered inline:');
  }
  console.log(
    `stdout: ${hello.stdout.trim()}  (exit_code ${hello.exit_code}, ${hello.elapsed_seconds}s, ${hello.execution_strategy})`,
  );

  step(
    `2. A slow script (about 4 s) moves to the background once the ${budgetSeconds} s budget is spent`,
  );
  const slow = await call<RunResult | JobHandle>(client, 'py_run_script_in_dir_v2', {
    directory: root,
    script_path: 'crunch.py',
    job_label: 'crunch',
  });
  if (isHandle(slow)) {
    console.log(`handle: status=${slow.status} job_id=${slow.job_id}`);
    console.log(`message: ${slow.message}`);
    const bar = new SingleBar({
      format: '  {bar} {value}/{total} {message}',
      noTTYOutput: true,
      notTTYSchedule: 400,
      hideCursor: true,
    });
    bar.start(10, 0, { message: '' });
    const { view, polls } = await follow(client, slow.job_id, (job) => {
      if (job.progress) bar.update(job.progress.progress, { message: job.progress.message ?? '' });
    }).finally(() => bar.stop());
    console.log(
      `job ${view.status} after ${polls} long-polling py_job_status calls (each returns on a change)`,
    );
    console.log(`result stdout ends with: ${JSON.stringify(lastLine(runResultOf(view).stdout))}`);
  } else {
    console.log(
      `finished inline within the budget; stdout ends with: ${JSON.stringify(lastLine(slow.stdout))}`,
    );
  }

  step('3. Cancel kills the whole process tree');
  const cancellable = await call<JobHandle>(client, 'py_run_script_in_dir_v2', {
    directory: root,
    async_mode: true,
    job_label: 'to be cancelled',
    script_content:
      'import os, subprocess, sys, time\nchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])\nprint("pids", os.getpid(), child.pid, flush=True)\ntime.sleep(60)',
  });
  let pids: number[] = [];
  let output = '';
  while (pids.length === 0) {
    const { job } = await call<{ job: JobView }>(client, 'py_job_status', {
      job_id: cancellable.job_id,
      wait_seconds: 5,
    });
    output += job.new_stdout ?? '';
    const line = output.split('\n').find((text) => text.startsWith('pids '));
    if (line) pids = line.slice(5).split(' ').map(Number);
    else if (finalStatuses.includes(job.status))
      throw new Error(`the script to cancel ended ${job.status} before it started its child`);
  }
  console.log(
    `running: script pid ${pids[0]} with child pid ${pids[1]} (alive: ${pids.map(alive).join(', ')})`,
  );
  const cancelled = await call<{ status: string }>(client, 'py_cancel_job', {
    job_id: cancellable.job_id,
  });
  const { view: afterCancel } = await follow(client, cancellable.job_id);
  // The job is settled once the tree is killed; the kernel may take a moment to reap it.
  for (let attempt = 0; attempt < 100 && pids.some(alive); attempt += 1)
    await new Promise((resolve) => setTimeout(resolve, 50));
  console.log(
    `py_cancel_job: ${cancelled.status}; job now ${afterCancel.status}; processes alive: ${pids.map(alive).join(', ')}`,
  );

  step('4. Restart the server: the job history is kept in the file store');
  await stopServer();
  client = await startServer(root, dataDirectory);
  const listed = await call<{ jobs: { label: string; status: string }[]; total: number }>(
    client,
    'py_list_jobs',
    {},
  );
  console.log(`py_list_jobs after restart: total ${listed.total}`);
  for (const job of listed.jobs) console.log(`  - ${job.label}: ${job.status}`);
  console.log(`\nDemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

try {
  await main();
} catch (error: unknown) {
  // Interrupted, the call the signal cut short is no failure: the signal handler exits.
  if (!state.interrupted) {
    console.error(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}`);
    if (state.serverLog.length > 0)
      console.error(`The server's last log lines:\n  ${state.serverLog.join('\n  ')}`);
    process.exitCode = 1;
  }
} finally {
  await cleanUp().catch((error: unknown) => {
    console.error(`Could not remove ${state.root}: ${String(error)}`);
    process.exitCode = 1;
  });
}
