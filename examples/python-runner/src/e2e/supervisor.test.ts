import { mkdtemp, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../testing/is-alive';
import { callJson, eventually, startStdioServer } from '../testing/stdio-server';
import type { StdioServer } from '../testing/stdio-server';
import { killSupervisors, supervisorProcesses } from '../testing/supervisor-processes';

interface JobView {
  job_id: string;
  status: string;
  error: { code: string; message: string } | null;
  new_stdout: string;
  stdout_offset: number;
}

// Writes its pid, prints the first half of its lines, waits for the release file, prints the rest.
const releasedScript = [
  'import os, sys, time',
  'release, pid_file, count = sys.argv[1], sys.argv[2], int(sys.argv[3])',
  'open(pid_file, "w").write(str(os.getpid()))',
  'for i in range(count):',
  '    print(f"line {i}", flush=True)',
  '    if i == count // 2:',
  '        while not os.path.exists(release):',
  '            time.sleep(0.02)',
  'print("done", flush=True)',
].join('\n');

const expectedOutput = (count: number): string =>
  `${Array.from({ length: count }, (_, index) => `line ${index}\n`).join('')}done\n`;

const dataDirectories: string[] = [];
const servers: StdioServer[] = [];
const scriptPids: number[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (isAlive(server.pid)) process.kill(server.pid, 'SIGKILL');
    await server.close().catch(() => undefined);
  }
  for (const directory of dataDirectories.splice(0)) {
    await killSupervisors(join(directory, '.data'));
    await rm(directory, { recursive: true, force: true });
  }
  for (const pid of scriptPids.splice(0)) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});

async function workspace(prefix: string, extra: string[] = []) {
  const root = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  dataDirectories.push(root);
  const dataDirectory = join(root, '.data');
  return {
    root,
    dataDirectory,
    args: [
      '--root',
      root,
      '--data-dir',
      dataDirectory,
      '--inline-timeout',
      '0.5',
      '--lease-seconds',
      '2',
      '--heartbeat-seconds',
      '0.5',
      ...extra,
    ],
  };
}

async function start(args: string[]): Promise<StdioServer> {
  const server = await startStdioServer(args);
  servers.push(server);
  return server;
}

async function readPid(file: string): Promise<number> {
  const pid = await eventually(async () => {
    const text = await readFile(file, 'utf8').catch(() => '');
    return text === '' ? undefined : Number(text);
  }, 30_000);
  scriptPids.push(pid);
  return pid;
}

/** Follows a job with long-polls until it is finished; returns its last view (all output). */
async function follow(client: Client, jobId: string): Promise<JobView> {
  for (;;) {
    const { json } = await callJson<{ job: JobView }>(client, 'py_job_status', {
      job_id: jobId,
      incremental: false,
      wait_seconds: 5,
    });
    if (!['pending', 'running'].includes(json.job.status)) return json.job;
  }
}

describe('scripts under the supervisor outlive their server', { timeout: 120_000 }, () => {
  it.each([['stdin closed'], ['SIGTERM'], ['SIGKILL']])(
    'a job past its budget goes on after the server stops (%s); a new server follows it to completed with its full output',
    async (how) => {
      const { root, dataDirectory, args } = await workspace('sa-sup-follow-');
      const release = join(root, 'release');
      const pidFile = join(root, 'pid');
      const first = await start(args);
      const handle = await callJson<{ job_id: string; status: string }>(
        first.client,
        'py_run_script_in_dir_v2',
        { directory: root, script_content: releasedScript, args: [release, pidFile, '40'] },
      );
      expect(handle.json.status).toBe('running');
      const scriptPid = await readPid(pidFile);
      if (how === 'stdin closed') await first.close();
      else process.kill(first.pid, how);
      await eventually(() => !isAlive(first.pid) || undefined, 30_000);
      if (how === 'SIGTERM') expect(first.stderr()).toContain('go on under the supervisor');
      expect(isAlive(scriptPid)).toBe(true);
      expect(supervisorProcesses(dataDirectory)).toHaveLength(1);

      await writeFile(release, '');
      const second = await start(args);
      const job = await follow(second.client, handle.json.job_id);
      expect(job.status).toBe('completed');
      expect(job.new_stdout).toBe(expectedOutput(40));
      expect(job.error).toBeNull();
    },
  );

  it('a script still inline when its server is killed becomes a job with its result and all its output', async () => {
    const { root, dataDirectory, args } = await workspace('sa-sup-inline-', [
      '--inline-timeout',
      '600',
    ]);
    const release = join(root, 'release');
    const pidFile = join(root, 'pid');
    const first = await start(args);
    const call = callJson(first.client, 'py_run_script_in_dir_v2', {
      directory: root,
      script_content: releasedScript,
      args: [release, pidFile, '10'],
    }).catch(() => undefined);
    const scriptPid = await readPid(pidFile);
    process.kill(first.pid, 'SIGKILL');
    await call;
    await eventually(() => !isAlive(first.pid) || undefined, 30_000);
    expect(isAlive(scriptPid)).toBe(true);
    await writeFile(release, '');
    const second = await start(args);
    const page = await eventually(async () => {
      const { json } = await callJson<{ jobs: { job_id: string }[] }>(
        second.client,
        'py_list_jobs',
        {},
      );
      return json.jobs.length === 1 ? json.jobs : undefined;
    }, 30_000);
    const job = await follow(second.client, page[0]!.job_id);
    expect(job.status).toBe('completed');
    expect(job.new_stdout).toBe(expectedOutput(10));
    expect(supervisorProcesses(dataDirectory)).toHaveLength(1);
  });

  it('kill -9 of the supervisor: its jobs become interrupted naming it, and no script is left', async () => {
    const { root, dataDirectory, args } = await workspace('sa-sup-kill-');
    const inline = [...args, '--inline-timeout', '600'];
    const pidFile = join(root, 'pid');
    const server = await start(inline);
    const handle = await callJson<{ job_id: string }>(server.client, 'py_run_script_in_dir_v2', {
      directory: root,
      script_content: releasedScript,
      args: [join(root, 'never'), pidFile, '4'],
      async_mode: true,
    });
    const scriptPid = await readPid(pidFile);
    const [supervisor] = supervisorProcesses(dataDirectory);
    expect(supervisor).toBeDefined();
    process.kill(supervisor!, 'SIGKILL');
    const job = await follow(server.client, handle.json.job_id);
    expect(job.status).toBe('interrupted');
    expect(job.error?.message).toContain(`owner process ${supervisor!}`);
    await eventually(() => !isAlive(scriptPid) || undefined, 30_000);
    // The next run starts a new supervisor.
    const next = await callJson<{ stdout: string }>(server.client, 'py_run_script_in_dir_v2', {
      directory: root,
      script_content: 'print("again")',
    });
    expect(next.text).toContain('again');
  });

  it('two servers started at once on an empty data directory start exactly one supervisor', async () => {
    const { root, dataDirectory, args } = await workspace('sa-sup-two-', [
      '--inline-timeout',
      '600',
    ]);
    const [one, two] = await Promise.all([start(args), start(args)]);
    const results = await Promise.all(
      [one, two].map((server) =>
        callJson<{ stdout: string }>(server.client, 'py_run_script_in_dir_v2', {
          directory: root,
          script_content: 'import os; print(os.getppid())',
        }),
      ),
    );
    for (const result of results) expect(result.json.stdout).toMatch(/^\d+\n$/);
    expect(supervisorProcesses(dataDirectory)).toHaveLength(1);
    const [store] = await readdir(join(dataDirectory, 'supervisor'));
    const log = await readFile(join(dataDirectory, 'supervisor', store!, 'supervisor.log'), 'utf8');
    expect(log.match(/supervising the file store/g)).toHaveLength(1);
  });
});
