// Benchmarks of the Redis job store: lifecycle throughput and per-operation latency against a
// SET/GET round trip on the same node-redis client (same run), and the cross-replica cancel hint.
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { createRedisJobStore } from '../src/redis/redis-job-store';
import {
  measureCancelHint,
  measureCrossProcessCancel,
  measureLifecycles,
  report,
  sample,
} from './server-store-bench';

const url = process.env.SA_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Runs the Redis store benchmark (skips with a message when Redis is not reachable). */
export async function run(): Promise<void> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    console.log(`skipped: Redis not reachable at ${url} (${String(error)})`);
    client.destroy();
    return;
  }
  const prefix = `sa-bench:${randomBytes(4).toString('hex')}:`;
  const store = await createRedisJobStore({ client, prefix });
  const replica = await createRedisJobStore({ url, prefix });
  try {
    const baseline = await sample(2000, async () => {
      await client.set(`${prefix}baseline`, 'value');
      await client.get(`${prefix}baseline`);
    });
    // One SET/GET pair is two round trips.
    const perRoundTrip = baseline.map((value) => value / 2);
    await measureLifecycles(store, 50);
    const lifecycle = await measureLifecycles(store, 1000);
    const cancelHint = await measureCancelHint(store, replica, 300);
    const crossProcessCancel = await measureCrossProcessCancel({
      kind: 'redis',
      url: url,
      namespace: prefix,
      store,
      count: 40,
    });
    report({
      store: 'redis',
      baselineName: 'SET or GET round trip',
      baseline: perRoundTrip,
      lifecycle,
      cancelHint,
      crossProcessCancel,
    });
  } finally {
    await replica.close();
    await store.close();
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 }))
      keys.push(...batch);
    for (let index = 0; index < keys.length; index += 1000)
      await client.del(keys.slice(index, index + 1000));
    await client.close();
  }
}
