/**
 * Reports an error thrown by a listener without letting it reach the work or other listeners:
 * it becomes a process warning (code `SA_LISTENER_ERROR`), so it is never silent.
 */
export function reportListenerError(kind: string, error: unknown): void {
  const message = error instanceof Error ? error.message || error.name : String(error);
  process.emitWarning(`A ${kind} listener threw and was skipped: ${message}`, {
    code: 'SA_LISTENER_ERROR',
  });
}
