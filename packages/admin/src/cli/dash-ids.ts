/** A job id (22 URL-safe base64 characters) that starts with a dash and so looks like an option. */
const dashId = /^-[A-Za-z0-9_-]{21}$/;

/** Flags that take no value: a dash id after one of them is an operand, not its value. */
const flagsWithoutValue = new Set([
  '--json',
  '--all',
  '--dry-run',
  '--expired',
  '--read-only',
  '--wait',
  '--help',
  '-h',
]);

/**
 * Job ids are random URL-safe base64, so one in 64 starts with `-` and would be read as an
 * unknown option. No option of `sa-jobs` is 22 characters of that alphabet, so such a token is
 * an id: it is moved after `--` (order kept), where it is always an operand. A token that is
 * the value of the option before it is left alone.
 */
export function protectDashIds(argv: readonly string[]): string[] {
  const kept: string[] = [];
  const moved: string[] = [];
  let end = argv.indexOf('--');
  if (end === -1) end = argv.length;
  for (let index = 0; index < end; index++) {
    const token = argv[index]!;
    const previous = argv[index - 1];
    const isValue =
      previous !== undefined &&
      previous.startsWith('-') &&
      !previous.includes('=') &&
      !flagsWithoutValue.has(previous) &&
      !dashId.test(previous);
    if (dashId.test(token) && !isValue) moved.push(token);
    else kept.push(token);
  }
  if (moved.length === 0) return [...argv];
  return [...kept, '--', ...moved, ...argv.slice(end + 1)];
}
