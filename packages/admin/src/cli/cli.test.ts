import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobOwner, TestStore } from '../testing/test-helpers';
import { createTestStore, runSaJobs, startJobOwner } from '../testing/test-helpers';

interface ListJson {
  jobs: { id: string; status: string; tool: string; scope: string | null }[];
  total: number | undefined;
  nextCursor: string | undefined;
}

/** One line on stderr, naming the problem. */
function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe.each(['file', 'redis', 'postgres'] as const)('sa-jobs on the %s store', (kind) => {
  let store: TestStore;
  let owner: JobOwner;
  let exportIds: string[];
  let failedId: string;
  let scopedIds: string[];

  beforeAll(async () => {
    store = await createTestStore(kind);
    owner = startJobOwner(store.env);
    exportIds = (await owner.send<{ ids: string[] }>({ op: 'seed', count: 3, tool: 'export' })).ids;
    scopedIds = (
      await owner.send<{ ids: string[] }>({ op: 'seed', count: 2, tool: 'report', scope: 'alice' })
    ).ids;
    failedId = (await owner.send<{ id: string }>({ op: 'fail', tool: 'import' })).id;
  });

  afterAll(async () => {
    await owner?.stop();
    await store?.cleanup();
  });

  const cli = (...args: string[]) => runSaJobs(args, store.env);

  it('lists jobs newest first with filters, and pages through them with the cursor', async () => {
    const all = await cli('list', '--json');
    expect(all.code).toBe(0);
    const everything = JSON.parse(all.stdout) as ListJson;
    expect(everything.total).toBe(6);
    expect(everything.jobs.map((job) => job.id)).toEqual([
      failedId,
      ...[...scopedIds].reverse(),
      ...[...exportIds].reverse(),
    ]);

    const failed = JSON.parse(
      (await cli('list', '--json', '--status', 'failed')).stdout,
    ) as ListJson;
    expect(failed.jobs.map((job) => job.id)).toEqual([failedId]);
    const alice = JSON.parse((await cli('list', '--json', '--scope', 'alice')).stdout) as ListJson;
    expect(alice.jobs.map((job) => job.id).sort()).toEqual([...scopedIds].sort());

    // Tool is checked client-side: the cursor still resumes exactly after the last job shown.
    const first = await cli('list', '--json', '--tool', 'export', '--limit', '2');
    const firstPage = JSON.parse(first.stdout) as ListJson;
    expect(firstPage.jobs.map((job) => job.id)).toEqual([exportIds[2], exportIds[1]]);
    expect(firstPage.nextCursor).toBeDefined();
    const second = JSON.parse(
      (
        await cli(
          'list',
          '--json',
          '--tool',
          'export',
          '--limit',
          '2',
          '--cursor',
          firstPage.nextCursor!,
        )
      ).stdout,
    ) as ListJson;
    expect(second.jobs.map((job) => job.id)).toEqual([exportIds[0]]);
    expect(second.nextCursor).toBeUndefined();

    // Store-side paging with --all visits every completed job once.
    const paged = JSON.parse(
      (await cli('list', '--json', '--status', 'completed', '--limit', '2', '--all')).stdout,
    ) as ListJson;
    expect(new Set(paged.jobs.map((job) => job.id)).size).toBe(5);
    expect(paged.total).toBe(5);

    const newer = JSON.parse(
      (await cli('list', '--json', '--newer-than', '1h')).stdout,
    ) as ListJson;
    expect(newer.jobs).toHaveLength(6);
    const older = JSON.parse(
      (await cli('list', '--json', '--older-than', '1h')).stdout,
    ) as ListJson;
    expect(older.jobs).toHaveLength(0);

    const table = await cli('list', '--status', 'failed');
    expect(table.stdout).toMatch(/ID\s+STATUS\s+TOOL/);
    expect(table.stdout).toContain(failedId);
    expect(table.stdout).not.toContain('\u001b['); // NO_COLOR and not a TTY: no colours
  });

  it('shows a job with its input, error, owner and output sizes, never its lease token', async () => {
    const shown = await cli('show', failedId, '--json');
    expect(shown.code).toBe(0);
    const { job, output } = JSON.parse(shown.stdout) as {
      job: Record<string, unknown>;
      output: { stdout: { writtenBytes: number } };
    };
    expect(job).toMatchObject({
      id: failedId,
      status: 'failed',
      tool: 'import',
      error: { message: 'it broke' },
    });
    expect(job).not.toHaveProperty('leaseToken');
    expect(output.stdout.writtenBytes).toBe(0);
    const text = await cli('show', failedId);
    expect(text.stdout).toMatch(/status\s+failed/);
    expect(text.stdout).toContain('it broke');
  });

  it('tails a running job of another process live until it ends', async () => {
    const { id } = await owner.send<{ id: string }>({
      op: 'run',
      tool: 'train',
      hold: true,
      steps: 1000,
      stepMs: 30,
      output: true,
    });
    let seen = '';
    let released = false;
    const tail = runSaJobs(['tail', id, '--json'], store.env, {
      onStdout: (text) => {
        seen += text;
        // Release the job only once tail follows it live (a progress line after some output).
        if (!released && seen.includes('"type":"progress"') && seen.includes('line 3')) {
          released = true;
          void owner.send({ op: 'release', id });
        }
      },
    });
    const result = await tail;
    expect(result.code, result.stderr).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; data?: string; job?: { status: string } });
    const output = events
      .filter((event) => event.type === 'output')
      .map((event) => event.data)
      .join('');
    const lines = output.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines).toEqual(lines.map((_, index) => `line ${index + 1}`)); // every line, once, in order
    expect(events.at(-1)).toMatchObject({ type: 'end', job: { id, status: 'completed' } });
  });

  it('stops following on Ctrl-C and leaves the job running', async () => {
    const { id } = await owner.send<{ id: string }>({
      op: 'run',
      tool: 'train',
      hold: true,
      stepMs: 30,
    });
    let interrupted = false;
    let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
    const result = await runSaJobs(['tail', id, '--json'], store.env, {
      child: (spawned) => (child = spawned),
      onStdout: (text) => {
        if (!interrupted && text.includes('"type":"progress"')) {
          interrupted = true;
          child?.kill('SIGINT');
        }
      },
    });
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`stopped following; job ${id} keeps running`);
    const shown = JSON.parse((await cli('show', id, '--json')).stdout) as {
      job: { status: string; cancelRequestedAt: number | null };
    };
    expect(shown.job).toMatchObject({ status: 'running', cancelRequestedAt: null });
    await owner.send({ op: 'release', id });
  });

  it('cancels a job another process owns, and refuses finished and unknown ones', async () => {
    const { id } = await owner.send<{ id: string }>({
      op: 'run',
      tool: 'train',
      hold: true,
      stepMs: 30,
    });
    const cancelled = await cli('cancel', id, '--wait', '60', '--json');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ results: [{ id, status: 'cancelled' }] });
    const shown = JSON.parse((await cli('show', id, '--json')).stdout) as {
      job: { status: string };
    };
    expect(shown.job.status).toBe('cancelled');

    const again = await cli('cancel', id);
    expect(again.code).toBe(5);
    expectOneLine(again.stderr, new RegExp(id));
    const unknown = await cli('cancel', 'no-such-job', exportIds[0]!);
    expect(unknown.code).toBe(5); // not found (4) and refused (5): the highest
    expect(unknown.stderr.trim().split('\n')).toHaveLength(2);
    const missing = await cli('cancel', 'no-such-job');
    expect(missing.code).toBe(4);
    expectOneLine(missing.stderr, /no-such-job/);
  });

  it('prunes with --dry-run deleting nothing, then for real', async () => {
    const before = (
      JSON.parse(
        (await cli('list', '--json', '--status', 'completed', '--tool', 'export', '--all')).stdout,
      ) as ListJson
    ).jobs;
    expect(before).toHaveLength(3);
    const dry = await cli('prune', '--dry-run', '--json', '--scope', 'alice');
    expect(dry.code).toBe(0);
    const dryResult = JSON.parse(dry.stdout) as { deleted: number; jobs: { id: string }[] };
    expect(dryResult.deleted).toBe(0);
    expect(dryResult.jobs.map((job) => job.id).sort()).toEqual([...scopedIds].sort());
    const after = JSON.parse((await cli('list', '--json', '--scope', 'alice')).stdout) as ListJson;
    expect(after.total).toBe(2); // nothing went

    const refused = await cli('prune');
    expect(refused.code).toBe(2);
    expectOneLine(refused.stderr, /needs a filter/);

    const real = await cli('prune', '--json', '--scope', 'alice');
    expect(JSON.parse(real.stdout)).toMatchObject({ deleted: 2, dryRun: false });
    const gone = JSON.parse((await cli('list', '--json', '--scope', 'alice')).stdout) as ListJson;
    expect(gone.total).toBe(0);
    const kept = JSON.parse(
      (await cli('list', '--json', '--tool', 'export', '--all')).stdout,
    ) as ListJson;
    expect(kept.jobs).toHaveLength(3);
  });

  it('reports stats: counts by status and tool and the store size', async () => {
    const stats = await cli('stats', '--json');
    expect(stats.code).toBe(0);
    const value = JSON.parse(stats.stdout) as {
      total: number;
      byStatus: Record<string, number>;
      byTool: Record<string, number>;
    };
    expect(value.byStatus.failed).toBe(1);
    expect(value.byTool.export).toBe(3);
    expect(value.total).toBe(Object.values(value.byStatus).reduce((sum, count) => sum + count, 0));
  });

  it('answers bad input with one clear line and a non-zero exit', async () => {
    const unknown = await cli('show', 'no-such-job');
    expect(unknown.code).toBe(4);
    expectOneLine(unknown.stderr, /no job with id "no-such-job"/);
    const badFilter = await cli('list', '--status', 'bogus');
    expect(badFilter.code).toBe(2);
    expectOneLine(badFilter.stderr, /"bogus" is not a status/);
    const badAge = await cli('list', '--older-than', 'soon');
    expect(badAge.code).toBe(2);
    expectOneLine(badAge.stderr, /--older-than must be a duration/);
    const badId = await cli('show', '../../etc/passwd');
    expect(badId.code).not.toBe(0);
    expect(badId.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('says when the store cannot be reached', async () => {
    const unreachable: Record<string, string> =
      kind === 'file'
        ? { SA_STORE: 'file', SA_DATA_DIR: '/nonexistent/sa-admin' }
        : {
            ...store.env,
            SA_STORE_URL:
              kind === 'redis' ? 'redis://127.0.0.1:1' : 'postgres://postgres@127.0.0.1:1/test',
          };
    const result = await runSaJobs(['list'], unreachable);
    expect(result.code).toBe(6);
    expectOneLine(
      result.stderr,
      kind === 'file' ? /no job store at \/nonexistent\/sa-admin/ : /could not open the \w+ store/,
    );
  });
});
