import { mkdtempSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../testing/is-alive';
import type { StdioServer } from '../testing/stdio-server';
import { callJson, eventually, startStdioServer } from '../testing/stdio-server';

/** What a parameter is, which decides the malformed values it gets. */
type Kind =
  | 'path'
  | 'text'
  | 'version'
  | 'name'
  | 'jobId'
  | 'args'
  | 'dependencies'
  | 'boolean'
  | 'duration'
  | 'interval'
  | 'env'
  | 'limit'
  | 'offset'
  | 'seconds'
  | 'ageHours'
  | 'status'
  | 'cursor'
  | 'label';

interface ToolSpec {
  /** Arguments the malformation is applied to (never a call that would run as given: see `required`). */
  base: Record<string, unknown>;
  fields: Record<string, Kind>;
  /** Fields whose absence is an error. */
  required?: string[];
  /** Fields dropped from `base` when this one is malformed (script_path XOR script_content). */
  exclusive?: Record<string, string[]>;
}

const hugeLength = 100_001;
const root = realpathSync(mkdtempSync(join(tmpdir(), 'sa-e2e-fuzz-')));

const inDirectory: Record<string, Kind> = {
  directory: 'path',
  script_path: 'path',
  script_content: 'text',
  args: 'args',
  use_uv: 'boolean',
  python_version: 'version',
  env_vars: 'env',
  env_file: 'path',
};
const withDependencies: Record<string, Kind> = {
  script_content: 'text',
  script_path: 'path',
  python_version: 'version',
  dependencies: 'dependencies',
  args: 'args',
  auto_parse_imports: 'boolean',
  env_vars: 'env',
  env_file: 'path',
};
const runSaved: Record<string, Kind> = {
  script_name: 'name',
  args: 'args',
  env_vars: 'env',
  env_file: 'path',
};
const smart: Record<string, Kind> = { async_mode: 'boolean', job_label: 'label' };
const exclusive = { script_path: ['script_content'] };
const inDirectoryBase = { directory: root, script_content: 'print(1)' };
const withDependenciesBase = { script_content: 'print(1)', auto_parse_imports: false };

const tools: Record<string, ToolSpec> = {
  py_run_script_in_dir: {
    base: inDirectoryBase,
    fields: { ...inDirectory, timeout_seconds: 'duration' },
    required: ['directory'],
    exclusive,
  },
  py_run_script_in_dir_async: {
    base: inDirectoryBase,
    fields: { ...inDirectory, stream: 'boolean' },
    required: ['directory'],
    exclusive,
  },
  py_run_script_in_dir_v2: {
    base: inDirectoryBase,
    fields: { ...inDirectory, timeout_seconds: 'duration', ...smart },
    required: ['directory'],
    exclusive,
  },
  py_run_script_with_dependencies: {
    base: withDependenciesBase,
    fields: { ...withDependencies, timeout_seconds: 'duration' },
    exclusive,
  },
  py_run_script_with_dependencies_async: {
    base: withDependenciesBase,
    fields: { ...withDependencies, stream: 'boolean' },
    exclusive,
  },
  py_run_script_with_dependencies_v2: {
    base: withDependenciesBase,
    fields: { ...withDependencies, timeout_seconds: 'duration', ...smart },
    exclusive,
  },
  py_benchmark_script: {
    base: withDependenciesBase,
    fields: { ...withDependencies, sample_interval: 'interval', timeout_seconds: 'duration' },
    exclusive,
  },
  py_benchmark_script_v2: {
    base: withDependenciesBase,
    fields: {
      ...withDependencies,
      sample_interval: 'interval',
      timeout_seconds: 'duration',
      ...smart,
    },
    exclusive,
  },
  py_run_saved_script: {
    base: { script_name: 'fuzz_saved' },
    fields: { ...runSaved, timeout_seconds: 'duration' },
    required: ['script_name'],
  },
  py_run_saved_script_v2: {
    base: { script_name: 'fuzz_saved' },
    fields: { ...runSaved, timeout_seconds: 'duration', ...smart },
    required: ['script_name'],
  },
  py_save_script: {
    // overwrite=false and an existing name: even a call that slipped through would write nothing.
    base: { script_name: 'fuzz_saved', source: 'print(1)\n' },
    fields: {
      script_name: 'name',
      source: 'text',
      dependencies: 'dependencies',
      requires_python: 'version',
      overwrite: 'boolean',
    },
    required: ['script_name', 'source'],
  },
  py_list_scripts: { base: {}, fields: {} },
  py_list_running_jobs: { base: {}, fields: {} },
  py_get_job_output: {
    base: { job_id: 'no-such-job' },
    fields: { job_id: 'jobId' },
    required: ['job_id'],
  },
  py_kill_job: {
    base: { job_id: 'no-such-job' },
    fields: { job_id: 'jobId' },
    required: ['job_id'],
  },
  py_cleanup_jobs: {
    base: {},
    fields: { remove_inline: 'boolean', only_finished: 'boolean', include_v2: 'boolean' },
  },
  py_job_status: {
    base: { job_id: 'no-such-job' },
    fields: {
      job_id: 'jobId',
      incremental: 'boolean',
      wait_seconds: 'seconds',
      stdout_offset: 'offset',
      stderr_offset: 'offset',
    },
    required: ['job_id'],
  },
  py_list_jobs: {
    base: { limit: 5 },
    fields: { status_filter: 'status', limit: 'limit', cursor: 'cursor' },
  },
  py_cancel_job: {
    base: { job_id: 'no-such-job' },
    fields: { job_id: 'jobId' },
    required: ['job_id'],
  },
  py_prune_jobs: {
    base: { keep_completed: true },
    fields: { keep_completed: 'boolean', keep_failed: 'boolean', max_age_hours: 'ageHours' },
  },
};

/** The tools `@sa/mcp` serves (its job tools under the `py_` prefix). */
const jobTools = ['py_job_status', 'py_list_jobs', 'py_cancel_job', 'py_prune_jobs'];

const stringKinds = new Set<Kind>([
  'path',
  'text',
  'version',
  'name',
  'jobId',
  'status',
  'cursor',
  'label',
]);
const numberKinds = new Set<Kind>([
  'duration',
  'interval',
  'limit',
  'offset',
  'seconds',
  'ageHours',
]);

/** A value of another JSON type than the parameter takes (null only where null is not allowed). */
function wrongType(kind: Kind): fc.Arbitrary<unknown> {
  const notString = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.constant({ a: 1 }),
  );
  if (stringKinds.has(kind)) return notString;
  if (numberKinds.has(kind))
    // NaN and ±Infinity travel as null in JSON: the non-finite numbers a client can send.
    return fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.boolean(),
      fc.constantFrom(Number.NaN, Infinity, -Infinity),
      fc.constant([1]),
    );
  if (kind === 'boolean')
    return fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.constant(null),
      fc.constant([true]),
    );
  if (kind === 'env')
    return fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constant([1, 2]),
      fc.dictionary(
        fc.stringMatching(/^[A-Z][A-Z0-9_]{0,7}$/),
        fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)),
        { minKeys: 1, maxKeys: 3 },
      ),
    );
  // args, dependencies: lists of strings.
  return fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.array(fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)), {
      minLength: 1,
      maxLength: 3,
    }),
  );
}

const huge = fc.constantFrom('q', '.', '/', 'é').map((unit) => unit.repeat(hugeLength));
const withNul = fc
  .tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }))
  .map(([a, b]) => `${a}\0${b}`);
const traversal = fc.oneof(
  fc.integer({ min: 1, max: 12 }).map((depth) => `${'../'.repeat(depth)}etc/passwd`),
  fc.constantFrom(
    '/etc',
    '/etc/passwd',
    'file:///etc/passwd',
    'http://127.0.0.1:9/x',
    '~/.ssh/id_rsa',
    'missing/../../..',
  ),
);

/** Values the parameter must refuse; none of them may ever make the call run. */
function badValue(kind: Kind): fc.Arbitrary<unknown> | undefined {
  switch (kind) {
    case 'path':
      return fc.oneof(huge, withNul, traversal);
    case 'version':
      return fc.oneof(
        huge,
        withNul,
        fc.constantFrom('$(true)', '3.12\nimport os', ">=3.10$'", 'latest'),
      );
    case 'name':
      return fc.oneof(
        huge,
        withNul,
        fc.constantFrom('../fuzz', 'a/b', '/etc/passwd', '.hidden', 'x'.repeat(101)),
      );
    case 'jobId':
      return fc.oneof(huge, withNul, traversal, fc.constant(''));
    case 'text':
      return withNul;
    case 'args':
      return withNul.map((text) => ['ok', text]);
    case 'dependencies':
      return fc.oneof(
        huge.map((text) => [text]),
        withNul.map((text) => [text]),
        fc.constantFrom(
          ['-r', 'requirements.txt'],
          ['-r requirements.txt'],
          ['--index-url=http://127.0.0.1:9/simple'],
          ['rich --extra-index-url http://127.0.0.1:9'],
          ['file:///etc'],
          ['x @ file:///etc/x.whl'],
          ['-e /etc'],
          ['../../../../outside.whl'],
          ['git+file:///etc'],
          [''],
        ),
      );
    case 'env':
      return fc.oneof(
        withNul.map((text) => ({ GOOD: text })),
        fc.constantFrom({ 'A B': 'x' }, { '1A': 'x' }, { '': 'x' }),
        huge.map((text) => ({ [`${text}-`]: 'x' })),
      );
    case 'duration':
      return fc.oneof(
        fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: 2_147_484, max: 1e308, noNaN: true }),
      );
    case 'interval':
      return fc.oneof(
        fc.double({ max: 0.009, noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: 2_147_484, max: 1e308, noNaN: true }),
      );
    case 'limit':
      return fc.oneof(
        fc.integer({ max: 0 }),
        fc.integer({ min: 1001 }),
        fc.constantFrom(1.5, 1e308),
      );
    case 'offset':
      return fc.oneof(fc.integer({ max: -1 }), fc.constantFrom(0.5, -1e308));
    case 'seconds':
      // Negative only: a huge wait_seconds is valid and capped by design (the server's longest wait).
      return fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true });
    case 'ageHours':
      // max_age_hours: negative, or past its limit of 87,600 hours (10 years) up to 1e308.
      return fc.oneof(
        fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: 87_600.000_001, max: 1e308, noNaN: true }),
        fc.constantFrom(87_601, 1e308, Number.MAX_VALUE),
      );
    case 'status':
      return fc.constantFrom('done', 'RUNNING', '', 'running\0');
    case 'boolean':
    case 'cursor':
    case 'label':
      return undefined;
  }
}

interface Case {
  tool: string;
  field: string;
  how: string;
  args: Record<string, unknown>;
}

function casesOf(name: string, spec: ToolSpec): fc.Arbitrary<Case>[] {
  const cases: fc.Arbitrary<Case>[] = [];
  const without = (field: string): Record<string, unknown> => {
    const args = { ...spec.base };
    for (const dropped of spec.exclusive?.[field] ?? []) delete args[dropped];
    return args;
  };
  for (const [field, kind] of Object.entries(spec.fields)) {
    cases.push(
      wrongType(kind).map((value) => ({
        tool: name,
        field,
        how: 'wrong type',
        args: { ...without(field), [field]: value },
      })),
    );
    const bad = badValue(kind);
    if (bad)
      cases.push(
        bad.map((value) => ({
          tool: name,
          field,
          how: 'bad value',
          args: { ...without(field), [field]: value },
        })),
      );
  }
  for (const field of spec.required ?? []) {
    const args = { ...spec.base };
    delete args[field];
    cases.push(fc.constant({ tool: name, field, how: 'missing', args }));
  }
  cases.push(
    fc
      .tuple(fc.stringMatching(/^x_[a-z0-9_]{1,20}$/), fc.jsonValue({ maxDepth: 1 }))
      .map(([field, value]) => ({
        tool: name,
        field,
        how: 'extra field',
        args: { ...spec.base, [field]: value },
      })),
  );
  return cases;
}

interface ToolAnswer {
  isError?: boolean;
  content: { type: string; text?: string }[];
}

describe(
  'every tool refuses malformed arguments cleanly (fast-check, fixed seed)',
  { timeout: 300_000 },
  () => {
    let server: StdioServer;

    beforeAll(async () => {
      await mkdir(join(root, 'project'), { recursive: true });
      server = await startStdioServer([
        '--root',
        root,
        '--data-dir',
        join(root, '.data'),
        '--inline-timeout',
        '5',
      ]);
      // A saved script and finished jobs, which no malformed call may touch.
      await callJson(server.client, 'py_save_script', {
        script_name: 'fuzz_saved',
        source: 'print("saved")\n',
      });
      const started = await callJson<{ job_id: string }>(server.client, 'py_run_script_in_dir_v2', {
        ...inDirectoryBase,
        async_mode: true,
      });
      await eventually(async () => {
        const { json } = await callJson<{ job: { status: string } }>(
          server.client,
          'py_job_status',
          {
            job_id: started.json.job_id,
            wait_seconds: 5,
          },
        );
        return json.job.status === 'completed' || undefined;
      });
      await callJson(server.client, 'py_run_script_in_dir_async', inDirectoryBase);
    });
    afterAll(async () => {
      await server?.close();
    });

    it('covers every tool the server lists', async () => {
      const { tools: listed } = await server.client.listTools();
      expect(listed.map((tool) => tool.name).sort()).toEqual(Object.keys(tools).sort());
    });

    it('answers each with a bounded isError naming the field; the server stays up; stored jobs are unchanged', async () => {
      const snapshot = async () => {
        await eventually(async () => {
          const { json } = await callJson<{ jobs: { status: string }[] }>(
            server.client,
            'py_list_jobs',
            { limit: 1000 },
          );
          return (
            json.jobs.every((job) => job.status !== 'running' && job.status !== 'pending') ||
            undefined
          );
        }, 60_000);
        const { json } = await callJson<{ jobs: unknown[] }>(server.client, 'py_list_jobs', {
          limit: 1000,
        });
        const scripts = await callJson(server.client, 'py_list_scripts');
        return { jobs: json.jobs, scripts: scripts.json };
      };
      const before = await snapshot();
      let calls = 0;
      const check = (cases: fc.Arbitrary<Case>[], numRuns: number) =>
        fc.assert(
          fc.asyncProperty(fc.oneof(...cases), async (testCase) => {
            calls += 1;
            const result = (await server.client.callTool({
              name: testCase.tool,
              arguments: testCase.args,
            })) as ToolAnswer;
            const text = result.content.map((part) => part.text ?? '').join('\n');
            const where = `${testCase.tool} ${testCase.field} (${testCase.how}): ${text.slice(0, 300)}`;
            expect(result.isError, where).toBe(true);
            expect(text, where).toContain(testCase.field);
            expect(text.length, where).toBeLessThan(1000);
            expect(JSON.stringify(result).length, where).toBeLessThan(4000);
          }),
          { seed: 15, numRuns, endOnFailure: true },
        );
      await check(
        Object.entries(tools).flatMap(([name, spec]) => casesOf(name, spec)),
        400,
      );
      // @sa/mcp's job tools answer at once: more runs on them alone (extra fields, huge numbers).
      await check(
        jobTools.flatMap((name) => casesOf(name, tools[name]!)),
        150,
      );
      expect(calls).toBeGreaterThanOrEqual(550);
      expect(isAlive(server.pid)).toBe(true);
      expect((await server.client.listTools()).tools.length).toBe(Object.keys(tools).length);
      expect(await snapshot()).toEqual(before);
    });
  },
);
