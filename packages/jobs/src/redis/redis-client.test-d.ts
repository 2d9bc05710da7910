import pg from 'pg';
import { createClient } from 'redis';
import { expectTypeOf, test } from 'vitest';
import type { PostgresJobStoreOptions } from '../postgres/postgres-job-store';
import type { RedisStoreClient } from './redis-client';

test('a node-redis client fits the Redis store client interface', () => {
  expectTypeOf(createClient()).toExtend<RedisStoreClient>();
  expectTypeOf(
    createClient({ url: 'redis://127.0.0.1:6379', RESP: 3 }),
  ).toExtend<RedisStoreClient>();
});

test('a pg Pool fits the PostgreSQL store options', () => {
  expectTypeOf(new pg.Pool()).toExtend<NonNullable<PostgresJobStoreOptions['pool']>>();
});
