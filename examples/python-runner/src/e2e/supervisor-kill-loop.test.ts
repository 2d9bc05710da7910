import { mkdir, mkdtemp, readFile, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobRecord } from '@sa/jobs';
import { createFileJobStore } from '@sa/jobs';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../testing/is-alive';
import { callJson, eventually, startStdioServer } from '../testing/stdio-server';
import type { StdioServer } from '../testing/stdio-server';
import { killSupervisors } from '../testing/supervisor-processes';

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const lineCount = 40;
// Records its pid, prints numbered lines for about 1.2 s, records that it ended.
const script = [
  'import os, sys, time',
  'tag, root = sys.argv[1], sys.argv[2]',
  'open(os.path.join(root, "pids", tag), "w").write(str(os.getpid()))',
  `for i in range(${lineCount}):`,
  '    print(f"{tag} line {i}", flush=True)',
  '    time.sleep(0.03)',
  'open(os.path.join(root, "ended", tag), "w").write("")',
].join('\n');

const seed = Number(process.env['SA_KILL_LOOP_SEED'] ?? 20261201);
let root = '';
let dataDirectory = '';
const pids: number[] = [];

afterAll(async () => {
  if (dataDirectory !== '') await killSupervisors(dataDirectory);
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  if (root !== '') await rm(root, { recursive: true, force: true });
});

describe('kill -9 of the server at random moments', { timeout: 300_000 }, () => {
  it(`30 kills (seed ${seed}): no job lost or duplicated, none left running, output whole and in order, no orphan script`, async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'sa-sup-loop-')));
    dataDirectory = join(root, '.data');
    await mkdir(join(root, 'pids'));
    await mkdir(join(root, 'ended'));
    const args = [
      '--root',
      root,
      '--data-dir',
      dataDirectory,
      '--inline-timeout',
      '0.3',
      '--lease-seconds',
      '2',
      '--heartbeat-seconds',
      '0.5',
      '--max-concurrent-jobs',
      '40',
    ];
    const random = seeded(seed);
    for (let round = 0; round < 30; round += 1) {
      const server: StdioServer = await startStdioServer(args);
      const tag = `t${round}`;
      // Not awaited: the server is killed at a random moment of the call or of the job's life
      // (before the script starts, while inline, at promotion, or while it runs as a job).
      const call = callJson(server.client, 'py_run_script_in_dir_v2', {
        directory: root,
        script_content: script,
        args: [tag, root],
      }).catch(() => undefined);
      // Under the script's own length (about 1.2 s), so no script ends before its server is killed.
      const delayMs = Math.floor(random() * 1000);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      process.kill(server.pid, 'SIGKILL');
      await eventually(() => !isAlive(server.pid) || undefined, 30_000);
      await server.close().catch(() => undefined);
      await call;
    }

    const store = createFileJobStore({ directory: join(dataDirectory, 'jobs') });
    try {
      // None stays running after its script ended.
      const records = await eventually(async () => {
        const page = await store.list({ limit: 1000 });
        return page.jobs.every(
          (record) => record.status !== 'running' && record.status !== 'pending',
        )
          ? page.jobs
          : undefined;
      }, 60_000);
      const started = await readdir(join(root, 'pids'));
      for (const tag of started) pids.push(Number(await readFile(join(root, 'pids', tag), 'utf8')));
      expect(started.length).toBeGreaterThan(0);
      // Every script that started ended by itself, and no process of it is left.
      await eventually(async () => {
        const ended = await readdir(join(root, 'ended'));
        return started.every((tag) => ended.includes(tag)) || undefined;
      }, 60_000);
      await eventually(() => pids.every((pid) => !isAlive(pid)) || undefined, 30_000);
      const tagOf = (record: JobRecord): string =>
        String((record.input as { args?: string[] } | undefined)?.args?.[0]);
      // Exactly one job per script that started: none lost, none duplicated.
      expect(records.map(tagOf).sort()).toEqual([...started].sort());
      for (const record of records) {
        expect(record.status, `${record.id}: ${JSON.stringify(record.error)}`).toBe('completed');
        const tag = tagOf(record);
        let offset = 0;
        let text = '';
        for (;;) {
          const chunk = await store.readOutput(record.id, 'stdout', { offset, maxBytes: 256 });
          expect(chunk.nextOffset).toBeGreaterThanOrEqual(offset);
          if (chunk.nextOffset === offset) break;
          offset = chunk.nextOffset;
          text += chunk.data;
        }
        expect(text).toBe(
          Array.from({ length: lineCount }, (_, index) => `${tag} line ${index}\n`).join(''),
        );
      }
    } finally {
      await store.close();
    }
  });
});
