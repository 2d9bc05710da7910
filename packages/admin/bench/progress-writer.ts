// Another process that owns one running job in a file store and reports its progress on demand:
// each line `N` on stdin becomes a heartbeat with progress N (what a job manager writes); the
// reply is `{"progress":N,"at":<epoch ms just before the write>}`.
import { createInterface } from 'node:readline';
import { createFileJobStore, createLeaseToken } from '@sa/jobs';

const store = createFileJobStore({ directory: process.argv[2]! });
const token = createLeaseToken();
const job = await store.create({
  label: 'progress latency probe',
  tool: 'bench',
  status: 'running',
  scope: null,
  owner: { instanceId: 'bench', pid: process.pid, host: 'bench' },
  leaseToken: token,
  leaseMs: 600_000,
});
process.stdout.write(`${JSON.stringify({ id: job.id })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const progress = Number(line);
  const at = Date.now();
  await store.heartbeat(job.id, token, {
    leaseMs: 600_000,
    progress: { progress, total: 1_000_000 },
  });
  process.stdout.write(`${JSON.stringify({ progress, at })}\n`);
}
await store.transition(
  job.id,
  { from: 'running', ownerToken: token },
  { status: 'completed', result: null },
);
await store.close();
