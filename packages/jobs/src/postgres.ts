export { createPostgresJobStore } from './postgres/postgres-job-store';
export type { PostgresJobStore, PostgresJobStoreOptions } from './postgres/postgres-job-store';
