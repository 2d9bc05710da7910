import { z } from 'zod';
import { echo } from '../bounded-echo';
import {
  durationTooLongMessage,
  maxDurationSeconds,
  minSampleIntervalSeconds,
} from '../duration-limits';
import { nullAsAbsent } from '../null-as-absent';

/** Parameters every execution tool shares. */
export const environmentShape = {
  env_vars: nullAsAbsent(z.record(z.string(), z.string())).describe(
    'Environment variables set last, over the server environment and env_file.',
  ),
  env_file: nullAsAbsent(z.string()).describe(
    'A dotenv file inside a root (relative to the script directory); missing is an error.',
  ),
};

/** `py_run_script_in_dir` without `timeout_seconds`. */
export const inDirectoryShape = {
  directory: z.string().describe('Working directory; must exist inside a --root.'),
  script_path: nullAsAbsent(z.string()).describe(
    'Script relative to directory (give this or script_content).',
  ),
  script_content: nullAsAbsent(z.string()).describe(
    'Python source to run (give this or script_path).',
  ),
  args: z.array(z.string()).default([]).describe('Command-line arguments for the script.'),
  use_uv: z.boolean().default(true).describe('Run with `uv run` when uv is installed.'),
  python_version: nullAsAbsent(z.string()).describe(
    'Python version, e.g. "3.12" or ">=3.10"; an error if none fits.',
  ),
  ...environmentShape,
};

/** `timeout_seconds`, default 300, 0 for no limit. */
export const timeoutShape = {
  timeout_seconds: z
    .number()
    .min(0)
    .max(maxDurationSeconds, durationTooLongMessage('timeout_seconds'))
    .default(300)
    .describe(
      `Kill the process tree after this many seconds (0: no limit; at most ${maxDurationSeconds}); partial output is kept.`,
    ),
};

/** `sample_interval` of the benchmark tools, seconds. */
export const sampleIntervalShape = {
  sample_interval: z
    .number()
    .min(minSampleIntervalSeconds)
    .max(maxDurationSeconds, durationTooLongMessage('sample_interval'))
    .default(0.05)
    .describe(
      `Seconds between memory samples (${minSampleIntervalSeconds} to ${maxDurationSeconds}).`,
    ),
};

/** `py_run_script_with_dependencies` without `timeout_seconds`. */
export const withDependenciesShape = {
  script_content: nullAsAbsent(z.string()).describe(
    'Python source to run (give this or script_path).',
  ),
  script_path: nullAsAbsent(z.string()).describe(
    'Script path inside a --root (give this or script_content).',
  ),
  python_version: nullAsAbsent(z.string()).describe(
    'Python version, e.g. "3.12"; default: the configured interpreter (an error if none fits).',
  ),
  dependencies: z
    .array(z.string())
    .default([])
    .describe('Requirements, or paths of local wheels or project folders inside a root.'),
  args: z.array(z.string()).default([]).describe('Command-line arguments for the script.'),
  auto_parse_imports: z
    .boolean()
    .default(true)
    .describe(
      'Add the distributions of the script imports (standard library and local modules left out).',
    ),
  ...environmentShape,
};

/** `stream` of the legacy `_async` tools (output is always streamed to the job log now). */
export const streamShape = {
  stream: z
    .boolean()
    .default(false)
    .describe('Kept for compatibility: output is always streamed to the job log.'),
};

/** `py_save_script`. */
export const saveScriptShape = {
  script_name: z.string().describe('Name of the script (letters, digits, _ and -).'),
  source: z.string().describe('Python source.'),
  dependencies: z.array(z.string()).default([]).describe('Written to the PEP 723 header.'),
  requires_python: nullAsAbsent(z.string()).describe(
    'Written as requires-python in the PEP 723 header.',
  ),
  overwrite: z.boolean().default(false).describe('Replace an existing script of that name.'),
};

/** `py_run_saved_script` without `timeout_seconds`. */
export const runSavedShape = {
  script_name: z.string().describe('A name py_list_scripts shows.'),
  args: z.array(z.string()).default([]).describe('Command-line arguments for the script.'),
  ...environmentShape,
};

/** A job id parameter. */
export const jobIdShape = { job_id: z.string().describe('The job id an `_async` tool returned.') };

/** The message for parameters a tool does not have: the first few names (each cut) and the count. */
export function unknownParametersMessage(keys: readonly string[]): string {
  const shown = keys.slice(0, 3).map(echo).join(', ');
  const more = keys.length > 3 ? ` and ${keys.length - 3} more` : '';
  return `Unknown parameter${keys.length === 1 ? '' : 's'} ${shown}${more}: this tool does not take ${keys.length === 1 ? 'it' : 'them'} (a typo is not ignored)`;
}

/**
 * A tool's input schema as a strict object: a parameter the tool does not have is refused with
 * a message naming it, instead of being dropped silently (a misspelt `timeout_seconds` would
 * otherwise run with the default).
 *
 * @example
 * server.registerTool('py_save_script', { inputSchema: strictInput(saveScriptShape) }, handler);
 */
export function strictInput<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? unknownParametersMessage(issue.keys) : undefined,
  });
}
