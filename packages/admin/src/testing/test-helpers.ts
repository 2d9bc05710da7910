import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';

const packageRoot = new URL('../../', import.meta.url).pathname;
const nodeArguments = ['--conditions=@sa/source', '--import', 'tsx'];

/** A store for a test: the environment variables that select it, and its clean-up. */
export interface TestStore {
  kind: 'file' | 'redis' | 'postgres';
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

let counter = 0;

/** A fresh store of `kind`: a new temp data directory, Redis prefix or PostgreSQL schema. */
export async function createTestStore(kind: TestStore['kind']): Promise<TestStore> {
  const unique = `${process.pid}_${Date.now()}_${counter++}`;
  if (kind === 'file') {
    const dataDirectory = await mkdtemp(join(tmpdir(), 'sa-admin-test-'));
    return {
      kind,
      env: { SA_STORE: 'file', SA_DATA_DIR: dataDirectory },
      cleanup: () => rm(dataDirectory, { recursive: true, force: true }),
    };
  }
  if (kind === 'redis') {
    const prefix = `sa-admin-test:${unique}:`;
    const url = 'redis://127.0.0.1:6379';
    return {
      kind,
      env: { SA_STORE: 'redis', SA_STORE_URL: url, SA_STORE_PREFIX: prefix },
      async cleanup() {
        const { createClient } = await import('redis');
        const client = createClient({ url });
        await client.connect();
        for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 }))
          if (keys.length > 0) await client.del(keys);
        await client.quit();
      },
    };
  }
  const schema = `sa_admin_test_${unique}`;
  const url = 'postgres://postgres@127.0.0.1:5432/test';
  return {
    kind,
    env: { SA_STORE: 'postgres', SA_STORE_URL: url, SA_STORE_PREFIX: schema },
    async cleanup() {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

/** The result of one `sa-jobs` run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `sa-jobs` (from the sources) in a child process with the store's environment. */
export function runSaJobs(
  args: readonly string[],
  env: Record<string, string>,
  options: {
    onStdout?: (text: string) => void;
    child?: (child: ChildProcessWithoutNullStreams) => void;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeArguments, join(packageRoot, 'src/bin.ts'), ...args],
      {
        cwd: packageRoot,
        env: { ...cleanEnvironment(), ...env, NO_COLOR: '1' },
      },
    );
    options.child?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      options.onStdout?.(text);
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The environment without any store selection of the machine running the tests. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('SA_')) delete env[name];
  return env;
}

/** A job-owning process (`job-owner.ts`) with a real job manager over the store. */
export interface JobOwner {
  pid: number;
  send<T = Record<string, unknown>>(command: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

/** Starts a job-owning process over the store (`job-owner.ts`). */
export function startJobOwner(env: Record<string, string>): JobOwner {
  const child = spawn(
    process.execPath,
    [...nodeArguments, join(packageRoot, 'src/testing/job-owner.ts')],
    {
      cwd: packageRoot,
      env: { ...cleanEnvironment(), ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines: Interface = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    pid: child.pid ?? 0,
    send<T>(command: Record<string, unknown>) {
      return new Promise<T>((resolve, reject) => {
        waiting.push((line) => {
          const value = JSON.parse(line) as T & { error?: string };
          if (value.error !== undefined) reject(new Error(value.error));
          else resolve(value);
        });
        child.stdin.write(`${JSON.stringify(command)}\n`);
      });
    },
    async stop() {
      if (child.exitCode === null) {
        child.stdin.write(`${JSON.stringify({ op: 'exit' })}\n`);
        child.stdin.end();
      }
      await exited;
    },
  };
}
