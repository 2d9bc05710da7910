import { mkdtempSync, realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StdioServer } from '../testing/stdio-server';
import { callJson, eventually, startStdioServer } from '../testing/stdio-server';

interface JobStatus {
  job: { job_id: string; status: string; result?: { stdout?: string } };
}

// Issue 15, item 3: one message over 10 MiB on stdio used to stop the server and record every
// running job `cancelled`, with only "connection closed" in the log.
describe('a message over 10 MiB on stdio', { timeout: 120_000 }, () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'sa-e2e-oversize-')));
  let server: StdioServer;

  beforeAll(async () => {
    server = await startStdioServer(['--root', root, '--data-dir', join(root, '.data')]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('is refused with an error and logged; the server and its running job carry on', async () => {
    const release = join(root, 'release');
    const started = await callJson<{ job_id: string }>(server.client, 'py_run_script_in_dir_v2', {
      directory: root,
      async_mode: true,
      script_content: [
        'import os, time',
        `while not os.path.exists(${JSON.stringify(release)}):`,
        '    time.sleep(0.05)',
        'print("released")',
      ].join('\n'),
    });
    const jobId = started.json.job_id;
    await eventually(async () => {
      const { json } = await callJson<JobStatus>(server.client, 'py_job_status', { job_id: jobId });
      return json.job.status === 'running' || undefined;
    });

    await expect(
      server.client.callTool({
        name: 'py_run_script_in_dir',
        arguments: { directory: root, script_content: `# ${'x'.repeat(11 * 1024 * 1024)}` },
      }),
    ).rejects.toThrow(/over the 10485760-byte limit of one stdio message/);

    expect(server.stderr()).toMatch(/dropped a message of \d+ bytes on stdin \(request id \d+\)/);
    expect(server.stderr()).not.toContain('stopping');
    // Still serving, and the job still runs to its end.
    const running = await callJson<JobStatus>(server.client, 'py_job_status', { job_id: jobId });
    expect(running.json.job.status).toBe('running');
    await writeFile(release, '');
    const done = await eventually(async () => {
      const { json } = await callJson<JobStatus>(server.client, 'py_job_status', {
        job_id: jobId,
        wait_seconds: 5,
      });
      return json.job.status === 'running' ? undefined : json.job;
    }, 60_000);
    expect(done.status).toBe('completed');
    expect(done.result?.stdout).toBe('released\n');
  });
});
