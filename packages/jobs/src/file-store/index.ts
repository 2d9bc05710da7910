export { createFileJobStore } from './file-job-store';
export type { FileJobStoreOptions } from './file-job-store-options';
