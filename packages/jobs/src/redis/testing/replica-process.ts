import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const packageDirectory = fileURLToPath(new URL('../../..', import.meta.url));
const childScript = fileURLToPath(new URL('replica-child.ts', import.meta.url));

/** A replica process (see `replica-child.ts`) and the lines it printed. */
export interface Replica {
  child: ChildProcess;
  jobIds: string[];
  messages: Record<string, unknown>[];
  /** Resolves with the first message (already printed or to come) that `match` accepts. */
  waitFor(match: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

/** Starts a replica process with `jobs` never-ending jobs (progress every `intervalMs`); resolves with their ids. */
export async function startReplica(
  kind: 'redis' | 'postgres',
  url: string,
  namespace: string,
  jobs = 2,
  intervalMs = 50,
): Promise<Replica> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@sa/source',
      '--import',
      'tsx',
      childScript,
      kind,
      url,
      namespace,
      String(jobs),
      String(intervalMs),
    ],
    { cwd: packageDirectory, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const messages: Record<string, unknown>[] = [];
  const waiters = new Set<(message: Record<string, unknown>) => void>();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const started = new Promise<string[]>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      messages.push(message);
      for (const waiter of [...waiters]) waiter(message);
      if (Array.isArray(message.started)) resolve(message.started as string[]);
    });
    child.once('exit', (code) => reject(new Error(`replica exited (${String(code)}): ${stderr}`)));
  });
  const waitFor: Replica['waitFor'] = (match) => {
    const found = messages.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => {
      const waiter = (message: Record<string, unknown>): void => {
        if (!match(message)) return;
        waiters.delete(waiter);
        resolve(message);
      };
      waiters.add(waiter);
    });
  };
  return { child, jobIds: await started, messages, waitFor };
}
