// A separate process that owns jobs through a real job manager, for the tests: it opens the
// store named by SA_STORE / SA_STORE_URL / SA_STORE_PREFIX / SA_DATA_DIR, reads commands as JSON
// lines on stdin and answers with JSON lines on stdout.
//
//   {"op":"seed","count":3,"tool":"t","label":"l","scope":null}  -> {"ids":[...]}  (completed jobs)
//   {"op":"run","tool":"t","steps":100,"stepMs":50,"output":true}  -> {"id":"..."}  (a running job
//        reporting progress; it ends when its steps are done or when it is cancelled)
//        With "hold":true it keeps reporting progress until {"op":"release","id":"..."}.
//   {"op":"release","id":"..."}                                    -> {"released":true}
//   {"op":"fail","tool":"t"}                                       -> {"id":"..."}  (a failed job)
//   {"op":"exit"}                                                  -> closes and exits
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { createFileJobStore, createJobManager } from '@sa/jobs';
import type { JobStore } from '@sa/jobs';
import { openStore } from '../store-selection';
import type { AdminStoreKind } from '../store-selection';

interface Command {
  op: 'seed' | 'run' | 'release' | 'fail' | 'exit';
  id?: string;
  hold?: boolean;
  count?: number;
  tool?: string;
  label?: string;
  scope?: string | null;
  steps?: number;
  stepMs?: number;
  output?: boolean;
}

const kind = (process.env.SA_STORE as AdminStoreKind | undefined) ?? 'file';
// Like a server, the owner creates the file store where `sa-jobs` only opens an existing one.
const store: JobStore =
  kind === 'file'
    ? createFileJobStore({ directory: join(process.env.SA_DATA_DIR ?? '.', 'jobs') })
    : await openStore({
        store: kind,
        storeUrl: process.env.SA_STORE_URL,
        storePrefix: process.env.SA_STORE_PREFIX,
      });
const manager = createJobManager({ store, heartbeatMs: 200, leaseMs: 5000, concurrency: 64 });
const released = new Set<string>();
const reply = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

async function handle(command: Command): Promise<void> {
  const meta = {
    tool: command.tool ?? 'test-tool',
    label: command.label ?? 'test job',
    scope: command.scope ?? null,
  };
  if (command.op === 'seed') {
    const ids: string[] = [];
    for (let index = 0; index < (command.count ?? 1); index++) {
      const job = await manager.start(() => Promise.resolve({ index }), {
        ...meta,
        input: { index },
      });
      ids.push(job.id);
      await manager.wait(job.id, { timeoutMs: 30_000 });
    }
    reply({ ids });
  } else if (command.op === 'run') {
    const steps = command.steps ?? 100;
    let setId: (id: string) => void = () => undefined;
    const idKnown = new Promise<string>((resolve) => (setId = resolve));
    const job = await manager.start(
      async ({ signal, reportProgress }) => {
        const id = await idKnown;
        for (let step = 1; command.hold === true ? !released.has(id) : step <= steps; step++) {
          await sleep(command.stepMs ?? 50, signal);
          reportProgress({
            progress: Math.min(step, steps),
            total: steps,
            message: `step ${step}`,
          });
          if (command.output === true) manager.appendOutput(id, 'stdout', `line ${step}\n`);
        }
        return { steps };
      },
      { ...meta, input: { steps } },
    );
    setId(job.id);
    reply({ id: job.id, pid: process.pid });
  } else if (command.op === 'release') {
    released.add(command.id ?? '');
    reply({ released: true });
  } else if (command.op === 'fail') {
    const job = await manager.start(() => Promise.reject(new Error('it broke')), meta);
    await manager.wait(job.id, { timeoutMs: 30_000 });
    reply({ id: job.id });
  } else {
    await manager.close({ graceMs: 0 });
    await store.close();
    process.exit(0);
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === '') continue;
  try {
    await handle(JSON.parse(line) as Command);
  } catch (error) {
    reply({ error: error instanceof Error ? error.message : String(error) });
  }
}
await manager.close({ graceMs: 0 });
await store.close();
