export { createRedisJobStore } from './redis/redis-job-store';
export type { RedisJobStore, RedisJobStoreOptions } from './redis/redis-job-store';
export type {
  RedisScriptOptions,
  RedisStoreClient,
  RedisStoreSubscriber,
} from './redis/redis-client';
