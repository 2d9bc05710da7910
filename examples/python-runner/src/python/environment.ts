import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '@sa/core';
import { parse } from 'dotenv';
import { echo } from '../bounded-echo';

const variableNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Options for `buildEnvironment`. */
export interface BuildEnvironmentOptions {
  /** The server's environment (default `process.env`). */
  base?: NodeJS.ProcessEnv;
  /** A dotenv file, already checked against the roots; a missing file is an error. */
  envFile?: string | null;
  /** Variables set last; names must be `[A-Za-z_][A-Za-z0-9_]*`. */
  envVars?: Record<string, string> | null;
}

/** Throws `INVALID_ARGUMENT` naming the first environment variable name that is not valid. */
export function validateVariableNames(names: Iterable<string>, source: string): void {
  for (const name of names) {
    if (!variableNamePattern.test(name)) {
      throw new InvalidArgumentError(
        `${source}: ${echo(name)} is not a valid environment variable name (letters, digits and _, not starting with a digit)`,
      );
    }
  }
}

/**
 * The child's environment: the server's, overlaid by `envFile`, overlaid by `envVars`.
 *
 * @example
 * const env = await buildEnvironment({ envFile: '/srv/app/.env', envVars: { DEBUG: '1' } });
 */
export async function buildEnvironment(
  options: BuildEnvironmentOptions = {},
): Promise<NodeJS.ProcessEnv> {
  const environment: NodeJS.ProcessEnv = { ...(options.base ?? process.env) };
  if (options.envFile) {
    let text: string;
    try {
      text = await readFile(options.envFile, 'utf8');
    } catch (error) {
      throw new InvalidArgumentError(
        `env_file ${echo(options.envFile)} cannot be read: ${describe(error)}`,
        {
          cause: error,
        },
      );
    }
    const fromFile = parse(text);
    validateVariableNames(Object.keys(fromFile), `env_file ${echo(options.envFile)}`);
    Object.assign(environment, fromFile);
  }
  if (options.envVars) {
    validateVariableNames(Object.keys(options.envVars), 'env_vars');
    for (const [name, value] of Object.entries(options.envVars)) {
      if (typeof value !== 'string') {
        throw new InvalidArgumentError(`env_vars.${echo(name)} must be a string`);
      }
      if (value.includes('\0'))
        throw new InvalidArgumentError(`env_vars.${echo(name)} contains a NUL byte`);
      environment[name] = value;
    }
  }
  return environment;
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}
