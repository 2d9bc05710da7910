import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../testing/is-alive';
import { callJson, eventually, startStdioServer } from '../testing/stdio-server';
import { killSupervisors } from '../testing/supervisor-processes';

interface JobStatus {
  job: {
    job_id: string;
    status: string;
    progress: { progress: number } | null;
    error?: { message: string } | null;
    cancel_requested?: boolean;
    new_stdout?: string;
  };
}

// Writes its pid and its child's pid to a file, reports progress, then sleeps.
const treeScript = (pidFile: string): string =>
  [
    'import os, subprocess, sys, time',
    'child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])',
    `open(${JSON.stringify(pidFile)}, "w").write(f"{os.getpid()} {child.pid}")`,
    'print("::progress 1/2 waiting", flush=True)',
    'time.sleep(60)',
  ].join('\n');

async function readPids(pidFile: string): Promise<number[]> {
  return eventually(async () => {
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    const pids = text.trim().split(' ').filter(Boolean).map(Number);
    return pids.length === 2 ? pids : undefined;
  });
}

async function workspace(
  prefix: string,
  extra: string[] = [],
): Promise<{ root: string; args: string[] }> {
  const root = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  directories.push(root);
  return {
    root,
    args: ['--root', root, '--data-dir', join(root, '.data'), '--inline-timeout', '0.3', ...extra],
  };
}

const directories: string[] = [];

afterAll(async () => {
  for (const root of directories) {
    await killSupervisors(join(root, '.data'));
    await rm(root, { recursive: true, force: true });
  }
});

describe('server lifecycle', { timeout: 90_000 }, () => {
  it('--stop-jobs-on-exit, after kill -9 mid-job and a restart: running and pending jobs are interrupted, orphans ended, then pruned', async () => {
    const { root, args } = await workspace('sa-e2e-kill-', ['--stop-jobs-on-exit']);
    const first = await startStdioServer([...args, '--max-concurrent-jobs', '1']);
    const pidFile = join(root, 'pids.txt');
    const running = await callJson<{ job_id: string }>(first.client, 'py_run_script_in_dir_v2', {
      directory: root,
      script_content: treeScript(pidFile),
      async_mode: true,
    });
    const pending = await Promise.all(
      [1, 2].map(() =>
        callJson<{ job_id: string; status: string }>(first.client, 'py_run_script_in_dir_v2', {
          directory: root,
          script_content: 'import time; time.sleep(60)',
          async_mode: true,
        }),
      ),
    );
    expect(pending.map((call) => call.json.status)).toEqual(['pending', 'pending']);
    const pids = await readPids(pidFile);
    const page = await callJson<{ jobs: unknown[]; total: number }>(first.client, 'py_list_jobs', {
      status_filter: 'pending',
      limit: 1,
    });
    expect(page.json.jobs).toHaveLength(1);
    expect(page.json.total).toBe(2);

    process.kill(first.pid, 'SIGKILL');
    await first.close().catch(() => undefined);
    const second = await startStdioServer(args);
    try {
      for (const jobId of [running.json.job_id, ...pending.map((call) => call.json.job_id)]) {
        const { json } = await callJson<JobStatus>(second.client, 'py_job_status', {
          job_id: jobId,
        });
        expect(json.job.status).toBe('interrupted');
      }
      await eventually(() => pids.every((pid) => !isAlive(pid)) || undefined);
      const pruned = await callJson<{ removed: number; remaining: number }>(
        second.client,
        'py_prune_jobs',
        { max_age_hours: 0 },
      );
      expect(pruned.json).toEqual({ removed: 3, remaining: 0 });
    } finally {
      await second.close();
    }
  });

  it('two server processes share one data directory: one sees, waits on and cancels the jobs of the other', async () => {
    const { root, args } = await workspace('sa-e2e-two-');
    const [owner, other] = await Promise.all([startStdioServer(args), startStdioServer(args)]);
    try {
      const pidFile = join(root, 'pids.txt');
      const handle = await callJson<{ job_id: string }>(owner.client, 'py_run_script_in_dir_v2', {
        directory: root,
        script_content: treeScript(pidFile),
        job_label: 'shared',
      });
      const pids = await readPids(pidFile);
      const seen = await eventually(async () => {
        const { json } = await callJson<JobStatus>(other.client, 'py_job_status', {
          job_id: handle.json.job_id,
          wait_seconds: 2,
        });
        return json.job.progress ? json.job : undefined;
      });
      expect(seen).toMatchObject({ status: 'running', progress: { progress: 1 } });
      const cancelled = await callJson(other.client, 'py_cancel_job', {
        job_id: handle.json.job_id,
      });
      expect(cancelled.json).toMatchObject({ status: 'cancelled' });
      await eventually(() => pids.every((pid) => !isAlive(pid)) || undefined);
      const { json } = await callJson<JobStatus>(owner.client, 'py_job_status', {
        job_id: handle.json.job_id,
        wait_seconds: 5,
      });
      expect(json.job.status).toBe('cancelled');
    } finally {
      await Promise.all([owner.close(), other.close()]);
    }
  });

  it('--stop-jobs-on-exit: SIGTERM stops the server, running scripts killed, their jobs interrupted with the reason', async () => {
    const { root, args } = await workspace('sa-e2e-term-', ['--stop-jobs-on-exit']);
    const first = await startStdioServer(args);
    const pidFile = join(root, 'pids.txt');
    const handle = await callJson<{ job_id: string }>(first.client, 'py_run_script_in_dir_v2', {
      directory: root,
      script_content: treeScript(pidFile),
      async_mode: true,
    });
    const pids = await readPids(pidFile);
    process.kill(first.pid, 'SIGTERM');
    await eventually(() => !isAlive(first.pid) || undefined);
    expect(first.stderr()).toContain('SIGTERM: stopping');
    expect(pids.some(isAlive)).toBe(false);
    await first.close().catch(() => undefined);
    const second = await startStdioServer(args);
    try {
      const { json } = await callJson<JobStatus>(second.client, 'py_job_status', {
        job_id: handle.json.job_id,
      });
      expect(json.job.status).toBe('interrupted');
      expect(json.job.error?.message).toBe('The job was interrupted: the server stopped (SIGTERM)');
      expect(json.job.cancel_requested).toBe(false);
    } finally {
      await second.close();
    }
  });
});
