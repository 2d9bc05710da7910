import { isTerminalStatus, terminalJobStatuses } from '../job-record';
import type { TransitionGuard, TransitionPatch } from '../job-store';
import { changedNotification } from './notify-sql';
import { nowMs } from './sql-names';
import type { SqlNames } from './sql-names';

const terminalList = terminalJobStatuses.map((status) => `'${status}'`).join(', ');

/**
 * Builds the one statement of a transition: `UPDATE ... WHERE id = $1 AND <guard> RETURNING`,
 * times from `now()`, with the change notification sent in the same statement (so at commit).
 * The guard (from, version, owner token, terminal immutability, fencing) is in the WHERE clause;
 * no row back means the guard refused, and the caller reads the row to say why.
 */
export function buildTransition(
  names: SqlNames,
  id: string,
  guard: TransitionGuard,
  patch: TransitionPatch,
): { text: string; values: unknown[] } {
  const values: unknown[] = [id];
  const param = (value: unknown): string => `$${String(values.push(value))}`;
  const sets: string[] = [];
  const status = patch.status;
  if (status !== undefined) {
    sets.push(`status = ${param(status)}::text`);
    const startedAt = patch.startedAt === undefined ? null : Math.round(patch.startedAt);
    if (status === 'running') {
      const started = param(startedAt);
      sets.push(
        `started_at = CASE WHEN status <> 'running' THEN COALESCE(${started}::bigint, ${nowMs}) ELSE COALESCE(${started}::bigint, started_at) END`,
      );
    } else if (startedAt !== null) {
      sets.push(
        `started_at = CASE WHEN status = ${param(status)}::text THEN ${param(startedAt)}::bigint ELSE started_at END`,
      );
    }
    if (isTerminalStatus(status)) sets.push(`finished_at = ${nowMs}`, 'lease_expires_at = NULL');
  } else if (patch.startedAt !== undefined) {
    sets.push(`started_at = ${param(Math.round(patch.startedAt))}::bigint`);
  }
  if (patch.progress !== undefined) {
    sets.push(
      `progress = ${param(patch.progress === null ? null : JSON.stringify(patch.progress))}::jsonb`,
    );
  }
  if (patch.result !== undefined)
    sets.push(`result = ${param(JSON.stringify(patch.result))}::text`);
  if (patch.error !== undefined) {
    sets.push(`error = ${param(patch.error === null ? null : JSON.stringify(patch.error))}::text`);
  }
  if (patch.owner !== undefined) {
    sets.push(`owner = ${param(patch.owner === null ? null : JSON.stringify(patch.owner))}::jsonb`);
  }
  if (patch.leaseToken !== undefined) sets.push(`lease_token = ${param(patch.leaseToken)}::text`);
  if (patch.leaseMs !== undefined && (status === undefined || !isTerminalStatus(status))) {
    sets.push(`lease_expires_at = ${nowMs} + ${param(Math.ceil(patch.leaseMs))}::bigint`);
  }
  if (patch.ttlMs !== undefined) {
    sets.push(
      patch.ttlMs === null
        ? 'expires_at = NULL'
        : `expires_at = ${nowMs} + ${param(Math.ceil(patch.ttlMs))}::bigint`,
    );
  }
  sets.push('version = version + 1', `updated_at = ${nowMs}`);

  const from: readonly string[] = typeof guard.from === 'string' ? [guard.from] : guard.from;
  const where = [
    'id = $1',
    `status = ANY(${param(from)}::text[])`,
    `status NOT IN (${terminalList})`,
  ];
  if (guard.expectedVersion !== undefined)
    where.push(`version = ${param(guard.expectedVersion)}::integer`);
  if (guard.ownerToken !== undefined) where.push(`lease_token = ${param(guard.ownerToken)}::text`);
  // Fencing: a running job that holds a lease leaves 'running' only in its owner's hands.
  if (status !== undefined && status !== 'running' && guard.ownerToken === undefined) {
    where.push(`NOT (status = 'running' AND lease_token IS NOT NULL)`);
  }
  const channel = param(names.channel);
  return {
    text: `WITH updated AS (UPDATE ${names.jobs} SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING *)
      SELECT updated.*, ${changedNotification('updated', channel)} FROM updated`,
    values,
  };
}
