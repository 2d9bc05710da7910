// Benchmarks of the PostgreSQL job store: lifecycle throughput and per-operation latency against a
// single-row upsert on the same pool (same run), and the cross-replica cancel hint (NOTIFY).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPostgresJobStore } from '../src/postgres/postgres-job-store';
import {
  measureCancelHint,
  measureCrossProcessCancel,
  measureLifecycles,
  report,
  sample,
} from './server-store-bench';

const connectionString =
  process.env.SA_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Runs the PostgreSQL store benchmark (skips with a message when PostgreSQL is not reachable). */
export async function run(): Promise<void> {
  const pool = new pg.Pool({ connectionString, max: 4 });
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    console.log(`skipped: PostgreSQL not reachable at ${connectionString} (${String(error)})`);
    await pool.end();
    return;
  }
  const schema = `sa_bench_${randomBytes(4).toString('hex')}`;
  const store = await createPostgresJobStore({ pool, schema });
  const replica = await createPostgresJobStore({ connectionString, schema });
  try {
    await pool.query(
      `CREATE TABLE "${schema}".baseline (id text PRIMARY KEY, value text NOT NULL)`,
    );
    const baseline = await sample(2000, () =>
      pool.query(
        `INSERT INTO "${schema}".baseline (id, value) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value`,
        ['row', String(Math.random())],
      ),
    );
    await measureLifecycles(store, 30);
    const lifecycle = await measureLifecycles(store, 500);
    const cancelHint = await measureCancelHint(store, replica, 200);
    const crossProcessCancel = await measureCrossProcessCancel({
      kind: 'postgres',
      url: connectionString,
      namespace: schema,
      store,
      count: 40,
    });
    report({
      store: 'postgres',
      baselineName: 'single-row upsert',
      baseline,
      lifecycle,
      cancelHint,
      crossProcessCancel,
    });
  } finally {
    await replica.close();
    await store.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}
