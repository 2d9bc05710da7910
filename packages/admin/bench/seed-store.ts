import { existsSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileJobStore } from '@sa/jobs';

const tools = ['export', 'import', 'train', 'report', 'python'];

/**
 * A file store directory holding `count` jobs, created through the store's public `create`
 * (32 at a time). Kept in the temp folder between runs (a marker file says it is complete), as
 * creating 100,000 durable records takes about a minute.
 */
export async function seededFileStore(count: number): Promise<string> {
  const directory = join(tmpdir(), `sa-admin-bench-${count}`);
  const marker = join(directory, `seeded-${count}`);
  if (existsSync(marker)) return directory;
  await mkdir(directory, { recursive: true });
  const store = createFileJobStore({ directory });
  const existing = (await store.list({ limit: 1 })).total;
  let next = existing;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (next < count) {
      const index = next++;
      await store.create({
        label: `job ${index}`,
        tool: tools[index % tools.length]!,
        input: { index },
        status: 'pending',
        scope: index % 10 === 0 ? 'alice' : null,
        owner: null,
        leaseToken: null,
      });
    }
  }
  await Promise.all(Array.from({ length: 32 }, worker));
  await store.close();
  writeFileSync(marker, '');
  console.log(
    `seeded ${count - existing} jobs in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return directory;
}
