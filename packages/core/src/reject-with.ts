/**
 * A promise rejected with `error` exactly as given: a work's own error is passed on unwrapped,
 * even when it is not an `Error`.
 */
export function rejectWith(error: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- pass the work's own error on unchanged
  return Promise.reject(error);
}
