/** Characters of a caller's value an error message repeats before it cuts the rest. */
export const echoPrefixLength = 40;

/**
 * A caller-given value as an error message may repeat it: JSON-quoted, and when longer than
 * `echoPrefixLength` characters, its first characters and its length, so a huge input never
 * comes back whole. Every error of the server that names a caller's value goes through here.
 *
 * @example
 * echo('x'.repeat(100_000)); // '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"… (100000 characters)'
 */
export function echo(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length <= echoPrefixLength) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, echoPrefixLength))}… (${value.length} characters)`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value;
}
