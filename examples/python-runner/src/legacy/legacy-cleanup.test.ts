import { createJobManager, createMemoryJobStore } from '@sa/jobs';
import type { JobManager, JobRecord } from '@sa/jobs';
import { afterEach, describe, expect, it } from 'vitest';
import { legacyJobTools, removeFinishedLegacyJobs } from './legacy-cleanup';

const managers: JobManager[] = [];

function manager(): JobManager {
  const created = createJobManager({ store: createMemoryJobStore() });
  managers.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(managers.splice(0).map((each) => each.close()));
});

async function finishedJob(jobs: JobManager, tool: string, scope: string | null = null) {
  const job = await jobs.createExternal({ tool, scope });
  return jobs.settleExternal(job.id, { status: 'completed', result: null });
}

async function ids(jobs: JobManager): Promise<string[]> {
  return (await jobs.list({ limit: 1000 })).jobs.map((record: JobRecord) => record.id).sort();
}

describe('removeFinishedLegacyJobs', () => {
  it('removes every finished legacy job, also those that finished after a _v2 job', async () => {
    const jobs = manager();
    const legacyTool = legacyJobTools[0]!;
    const earlyLegacy = await finishedJob(jobs, legacyTool);
    const v2 = await finishedJob(jobs, 'py_run_script_in_dir_v2');
    await finishedJob(jobs, legacyJobTools[1]!);
    await finishedJob(jobs, legacyTool);
    const running = await jobs.createExternal({ tool: legacyTool });
    expect(v2.finishedAt!).toBeGreaterThanOrEqual(earlyLegacy.finishedAt!);
    const outcome = await removeFinishedLegacyJobs(jobs, { scope: null, includeOtherTools: false });
    expect(outcome).toEqual({ removed: 3, keptOtherJobs: 1 });
    expect(await ids(jobs)).toEqual([v2.id, running.id].sort());
  });

  it('removes finished _v2 jobs only with includeOtherTools, and only in the scope', async () => {
    const jobs = manager();
    const v2 = await finishedJob(jobs, 'py_run_script_in_dir_v2', 'alice');
    const bobs = await finishedJob(jobs, legacyJobTools[0]!, 'bob');
    await finishedJob(jobs, legacyJobTools[0]!, 'alice');
    expect(
      await removeFinishedLegacyJobs(jobs, { scope: 'alice', includeOtherTools: false }),
    ).toEqual({ removed: 1, keptOtherJobs: 1 });
    expect(
      await removeFinishedLegacyJobs(jobs, { scope: 'alice', includeOtherTools: true }),
    ).toEqual({ removed: 1, keptOtherJobs: 0 });
    expect(await jobs.get(v2.id)).toBeUndefined();
    expect(await ids(jobs)).toEqual([bobs.id]);
  });
});
