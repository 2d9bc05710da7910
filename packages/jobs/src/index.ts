export { jobRecordSchema } from './job-record';
