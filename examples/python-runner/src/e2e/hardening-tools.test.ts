import { mkdtempSync, realpathSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWheel } from '../testing/build-wheel';
import type { StdioServer } from '../testing/stdio-server';
import { callJson, eventually, startStdioServer } from '../testing/stdio-server';

interface JobStatus {
  job: { job_id: string; status: string };
}

// Issue 15: what a hostile or careless caller found in the example server, tool by tool.
describe('hardened tools over a real MCP client', { timeout: 120_000 }, () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'sa-e2e-hardening-')));
  const outside = realpathSync(mkdtempSync(join(tmpdir(), 'sa-e2e-outside-')));
  let server: StdioServer;
  let outsideWheel: string;

  beforeAll(async () => {
    outsideWheel = await buildWheel({ directory: outside, name: 'sa_evil_wheel', value: 'pwned' });
    await mkdir(join(root, 'project'));
    server = await startStdioServer([
      '--root',
      root,
      '--data-dir',
      join(root, '.data'),
      '--inline-timeout',
      '5',
    ]);
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('4. durations a timer cannot hold are refused, naming the field and the limit', () => {
    it.each([
      ['py_run_script_in_dir', 'timeout_seconds', 1e9],
      ['py_run_script_in_dir_v2', 'timeout_seconds', 1e308],
      ['py_run_script_with_dependencies', 'timeout_seconds', 1e9],
      ['py_run_saved_script_v2', 'timeout_seconds', 1e9],
      ['py_benchmark_script', 'sample_interval', 1e9],
      ['py_benchmark_script_v2', 'sample_interval', 1e308],
    ])('%s %s=%d', async (tool, field, value) => {
      const args = tool.includes('saved')
        ? { script_name: 'nope' }
        : tool.includes('in_dir')
          ? { directory: root, script_content: 'print("ran")' }
          : { script_content: 'print("ran")', auto_parse_imports: false };
      const { result, text } = await callJson(server.client, tool, { ...args, [field]: value });
      expect(result.isError).toBe(true);
      expect(text).toContain(field);
      expect(text).toContain('2147483');
      expect(text).not.toContain('ran');
    });

    it('a tiny sample_interval is refused too', async () => {
      const { result, text } = await callJson(server.client, 'py_benchmark_script', {
        script_content: 'print(1)',
        auto_parse_imports: false,
        sample_interval: 1e-9,
      });
      expect(result.isError).toBe(true);
      expect(text).toContain('sample_interval');
    });
  });

  describe('5. every local dependency form is held to the roots; pip options are refused up front', () => {
    const forms = (wheel: string): [string, string][] => [
      ['a bare path', wheel],
      ['a bare file: URL', pathToFileURL(wheel).href],
      ['a PEP 508 direct reference', `sa_evil_wheel @ ${pathToFileURL(wheel).href}`],
      ['an editable install', `-e ${outside}`],
      ['an editable install, long form', `--editable=${outside}`],
    ];
    it.each(forms('/placeholder'))('%s outside every root', async (_name) => {
      const dependency = forms(outsideWheel).find(([name]) => name === _name)?.[1] ?? '';
      for (const tool of [
        'py_run_script_with_dependencies',
        'py_run_script_with_dependencies_async',
        'py_run_script_with_dependencies_v2',
      ]) {
        const { result, text } = await callJson(server.client, tool, {
          script_content: 'import sa_evil_wheel; print(sa_evil_wheel.VALUE)',
          auto_parse_imports: false,
          dependencies: [dependency],
        });
        expect(result.isError, `${tool}: ${text}`).toBe(true);
        expect(text).toMatch(/dependencies .* outside the allowed roots/);
        expect(text).not.toContain('pwned');
      }
    });

    it.each([
      ['-r', '-r requirements.txt'],
      ['--index-url', '--index-url=http://127.0.0.1:9/simple'],
      ['--extra-index-url', '--extra-index-url http://127.0.0.1:9/simple'],
      ['-c', '-c constraints.txt'],
      ['an option after a name', 'rich --index-url http://127.0.0.1:9/simple'],
    ])('%s is refused before the legacy _async tool says started', async (_name, dependency) => {
      const { result, text } = await callJson(
        server.client,
        'py_run_script_with_dependencies_async',
        { script_content: 'print(1)', auto_parse_imports: false, dependencies: [dependency] },
      );
      expect(result.isError).toBe(true);
      expect(text).toMatch(/dependencies: .* looks like a pip option/);
      expect(text).not.toContain('started');
    });

    it('a wheel inside a root installs through a file: URL', async () => {
      const wheel = await buildWheel({
        directory: join(root, 'project'),
        name: 'sa_inside_wheel',
        value: 'inside',
      });
      const { result, json } = await callJson<{ stdout: string; resolved_dependencies: string[] }>(
        server.client,
        'py_run_script_with_dependencies',
        {
          script_content: 'import sa_inside_wheel; print(sa_inside_wheel.VALUE)',
          auto_parse_imports: false,
          dependencies: [`sa_inside_wheel @ ${pathToFileURL(wheel).href}`],
        },
      );
      expect(result.isError).toBeFalsy();
      expect(json.stdout).toBe('inside\n');
      expect(json.resolved_dependencies).toEqual([
        `sa_inside_wheel @ ${pathToFileURL(wheel).href}`,
      ]);
    });
  });

  describe('6. py_save_script', () => {
    it("writes $', $` and $& in a dependency literally when the source already has a header", async () => {
      const source = '# /// script\n# dependencies = ["rich"]\n# ///\nprint("body")\n';
      const { result, json } = await callJson<{ path: string }>(server.client, 'py_save_script', {
        script_name: 'dollars',
        source,
        dependencies: ["a$'", 'b$`', 'c$&'],
      });
      expect(result.isError).toBeFalsy();
      const written = await readFile(json.path, 'utf8');
      expect(written).toBe(
        [
          '# /// script',
          '# dependencies = [',
          '#   "rich",',
          `#   "a$'",`,
          '#   "b$`",',
          '#   "c$&",',
          '# ]',
          '# ///',
          'print("body")',
          '',
        ].join('\n'),
      );
    });

    it.each([
      ['requires_python', { requires_python: ">=3.10$'" }],
      ['requires_python', { requires_python: '3.12\nimport os' }],
      ['dependencies', { dependencies: ['-r requirements.txt'] }],
      ['dependencies', { dependencies: ['rich\nimport os'] }],
      ['dependencies', { dependencies: ['-e ./project'] }],
    ])('refuses a bad %s at save time and writes nothing', async (field, extra) => {
      const { result, text } = await callJson(server.client, 'py_save_script', {
        script_name: 'refused',
        source: 'print(1)\n',
        ...extra,
      });
      expect(result.isError).toBe(true);
      expect(text).toContain(field);
      const listed = await callJson<{ result: { name: string }[] }>(
        server.client,
        'py_list_scripts',
      );
      expect(listed.json).not.toContainEqual(expect.objectContaining({ name: 'refused' }));
    });
  });

  describe('7. huge values come back cut to a prefix and their length', () => {
    const huge = 'q'.repeat(100_000);
    it.each([
      ['py_run_script_in_dir', 'directory', { directory: huge, script_content: 'print(1)' }],
      [
        'py_run_script_in_dir',
        'env_file',
        { directory: root, script_content: 'print(1)', env_file: huge },
      ],
      [
        'py_run_script_in_dir',
        'python_version',
        { directory: root, script_content: 'print(1)', use_uv: false, python_version: huge },
      ],
      ['py_run_saved_script', 'script_name', { script_name: huge }],
      ['py_save_script', 'script_name', { script_name: huge, source: 'print(1)' }],
      ['py_get_job_output', 'job_id', { job_id: huge }],
      ['py_kill_job', 'job_id', { job_id: huge }],
      [
        'py_run_script_in_dir',
        'env_vars',
        { directory: root, script_content: 'print(1)', env_vars: { [`${huge}-`]: 'x' } },
      ],
      [
        'py_run_script_with_dependencies',
        'dependencies',
        { script_content: 'print(1)', dependencies: [`-r ${huge}`] },
      ],
    ])('%s with a huge %s', async (tool, field, args) => {
      const { result, text } = await callJson(server.client, tool, args);
      expect(result.isError).toBe(true);
      expect(text).toContain(field);
      expect(text).toMatch(/\((100000|100001|100003) characters\)/);
      expect(text.length).toBeLessThan(600);
    });
  });

  describe('9. py_cleanup_jobs', () => {
    const finishedJob = async (tool: string): Promise<string> => {
      const { json } = await callJson<{ job_id: string }>(server.client, tool, {
        directory: root,
        script_content: 'print("done")',
        ...(tool.endsWith('_v2') ? { async_mode: true } : {}),
      });
      await eventually(async () => {
        const status = await callJson<JobStatus>(server.client, 'py_job_status', {
          job_id: json.job_id,
          wait_seconds: 5,
        });
        return status.json.job.status === 'completed' || undefined;
      }, 60_000);
      return json.job_id;
    };
    const exists = async (jobId: string): Promise<boolean> =>
      !(await callJson(server.client, 'py_job_status', { job_id: jobId })).result.isError;

    it('removes finished legacy jobs and keeps _v2 jobs that just finished', async () => {
      const legacy = await finishedJob('py_run_script_in_dir_async');
      const v2 = await finishedJob('py_run_script_in_dir_v2');
      const { json } = await callJson<{ removed: number; v2_jobs_kept: number }>(
        server.client,
        'py_cleanup_jobs',
        {},
      );
      expect(await exists(legacy)).toBe(false);
      expect(await exists(v2)).toBe(true);
      expect(json.v2_jobs_kept).toBeGreaterThanOrEqual(1);
    });

    it('removes _v2 jobs only when asked with include_v2', async () => {
      const v2 = await finishedJob('py_run_script_in_dir_v2');
      await callJson(server.client, 'py_cleanup_jobs', {});
      expect(await exists(v2)).toBe(true);
      await callJson(server.client, 'py_cleanup_jobs', { include_v2: true });
      expect(await exists(v2)).toBe(false);
    });
  });
});
