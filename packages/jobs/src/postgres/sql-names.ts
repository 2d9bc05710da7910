import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@sa/core';

const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The quoted names of the store's tables and its notification channel. */
export interface SqlNames {
  schema: string;
  /** `"schema"."table"`: the jobs. */
  jobs: string;
  /** `"schema"."table_output"`: output chunks. */
  output: string;
  /** `"schema"."table_output_state"`: per stream end offset. */
  outputState: string;
  /** `"schema"."table_cursors"`: named cursors. */
  cursors: string;
  /** The bare table name, for index names. */
  table: string;
  /** The NOTIFY channel (short, derived from schema and table). */
  channel: string;
  /** The advisory lock key that serialises `migrate()`. */
  lockKey: string;
}

function checkIdentifier(field: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || !identifierPattern.test(value) || value.length > maxLength) {
    throw new InvalidArgumentError(
      `Invalid ${field}: expected letters, digits and _ (not starting with a digit), at most ${String(maxLength)} characters, got ${JSON.stringify(value)}`,
      { data: { field } },
    );
  }
  return value;
}

function quote(identifier: string): string {
  return `"${identifier}"`;
}

/** Validates schema and table names and derives every quoted name from them. */
export function createSqlNames(schema: unknown, table: unknown): SqlNames {
  const schemaName = checkIdentifier('schema', schema, 63);
  // The longest derived name is `<table>_output_state_created` (index), within PostgreSQL's 63.
  const tableName = checkIdentifier('table', table, 40);
  const qualified = (suffix: string): string =>
    `${quote(schemaName)}.${quote(`${tableName}${suffix}`)}`;
  const digest = createHash('sha1').update(`${schemaName}.${tableName}`).digest('hex');
  return {
    schema: quote(schemaName),
    jobs: qualified(''),
    output: qualified('_output'),
    outputState: qualified('_output_state'),
    cursors: qualified('_cursors'),
    table: tableName,
    channel: `sa_jobs_${digest.slice(0, 16)}`,
    lockKey: `sa-jobs:${schemaName}.${tableName}`,
  };
}

/** The store's clock in SQL: epoch milliseconds from the transaction's `now()`. */
export const nowMs = `(floor(extract(epoch from now()) * 1000))::bigint`;
