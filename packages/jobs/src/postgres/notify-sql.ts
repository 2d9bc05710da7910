/** SQL that sends the `changed` hint of a returned row (`alias`) on `channel` (a parameter). */
export function changedNotification(alias: string, channel: string): string {
  return `pg_notify(${channel}::text, json_build_object('type', 'changed', 'id', ${alias}.id,
    'status', ${alias}.status, 'version', ${alias}.version,
    'cancelRequested', ${alias}.cancel_requested_at IS NOT NULL)::text) AS notified`;
}

/** SQL that sends a `deleted` or `output` hint for the id in `idSql` on `channel` (a parameter). */
export function hintNotification(
  type: 'deleted' | 'output',
  idSql: string,
  channel: string,
): string {
  return `pg_notify(${channel}::text, json_build_object('type', '${type}', 'id', ${idSql})::text) AS notified`;
}
