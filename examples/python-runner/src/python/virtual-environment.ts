import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, SaError } from '@sa/core';
import type { PythonInfo } from './interpreter';
import { runProcess } from './run-process';
import { localPathOf, parseDependency, pipArguments } from './dependency-reference';
import { echo } from '../bounded-echo';

/** Options for `ensureVirtualEnvironment`. */
export interface VirtualEnvironmentOptions {
  /** Environments live in `<dataDirectory>/environments/<hash>`. */
  dataDirectory: string;
  /** The base interpreter. */
  python: PythonInfo;
  /** Requirement strings, or absolute paths of local wheels or project folders. */
  dependencies: readonly string[];
  /** Environment for pip (proxy settings and such). */
  env: NodeJS.ProcessEnv;
  /** Cancels the installation (kills pip). */
  signal?: AbortSignal;
}

/** A ready virtual environment. */
export interface VirtualEnvironment {
  directory: string;
  /** The environment's interpreter. */
  python: string;
  /** False when it was created by this call. */
  reused: boolean;
}

const readyMarker = '.sa-ready';
const building = new Map<string, Promise<VirtualEnvironment>>();

/** Throws `INVALID_ARGUMENT` for a dependency that is empty, has a line break or looks like a pip option. */
export function validateDependency(dependency: string): void {
  parseDependency(dependency);
}

/** True when a dependency names a local file or folder rather than a requirement. */
export function isLocalDependency(dependency: string): boolean {
  return localPathOf(dependency) !== null;
}

/**
 * A virtual environment with `dependencies` installed, one per dependency set and
 * interpreter, cached and reused; safe when several calls or processes build the same one.
 *
 * @example
 * const environment = await ensureVirtualEnvironment({ dataDirectory, python, dependencies: ['/wheels/x-1.0-py3-none-any.whl'], env: process.env });
 */
export async function ensureVirtualEnvironment(
  options: VirtualEnvironmentOptions,
): Promise<VirtualEnvironment> {
  options.dependencies.forEach(validateDependency);
  const key = await environmentKey(options);
  const directory = join(options.dataDirectory, 'environments', key);
  const python = join(directory, 'bin', 'python');
  if (await isReady(directory)) return { directory, python, reused: true };
  let pending = building.get(directory);
  if (!pending) {
    pending = build(options, directory).finally(() => building.delete(directory));
    building.set(directory, pending);
  }
  return pending;
}

async function environmentKey(options: VirtualEnvironmentOptions): Promise<string> {
  const parts = await Promise.all(
    [...options.dependencies].sort().map(async (dependency) => {
      const path = localPathOf(dependency);
      if (path === null) return dependency;
      // A rebuilt local wheel or folder must give a fresh environment.
      const info = await stat(path).catch(() => undefined);
      if (!info)
        throw new InvalidArgumentError(`dependencies: local path ${echo(path)} does not exist`);
      return `${dependency}@${info.size}:${info.mtimeMs}`;
    }),
  );
  return createHash('sha256')
    .update(
      JSON.stringify({ python: options.python.executable, version: options.python.version, parts }),
    )
    .digest('hex')
    .slice(0, 24);
}

async function isReady(directory: string): Promise<boolean> {
  try {
    await readFile(join(directory, readyMarker));
    return true;
  } catch {
    return false;
  }
}

async function build(
  options: VirtualEnvironmentOptions,
  directory: string,
): Promise<VirtualEnvironment> {
  const python = join(directory, 'bin', 'python');
  const temporary = `${directory}.tmp-${randomBytes(6).toString('hex')}`;
  await mkdir(join(options.dataDirectory, 'environments'), { recursive: true });
  try {
    const usesHostPip = options.python.hasPip;
    await step(
      options,
      options.python.executable,
      ['-m', 'venv', ...(usesHostPip ? ['--without-pip'] : []), temporary],
      'creating the virtual environment',
    );
    if (options.dependencies.length > 0) {
      const allLocal = options.dependencies.every(isLocalDependency);
      const installArguments = [
        'install',
        '--disable-pip-version-check',
        '--no-input',
        '--quiet',
        ...(allLocal ? ['--no-index'] : []),
        ...options.dependencies.flatMap(pipArguments),
      ];
      const temporaryPython = join(temporary, 'bin', 'python');
      if (usesHostPip) {
        await step(
          options,
          options.python.executable,
          ['-m', 'pip', '--python', temporaryPython, ...installArguments],
          'installing dependencies',
        );
      } else {
        await step(
          options,
          temporaryPython,
          ['-m', 'pip', ...installArguments],
          'installing dependencies',
        );
      }
    }
    await writeFile(
      join(temporary, readyMarker),
      JSON.stringify({ dependencies: options.dependencies }),
    );
    try {
      await rename(temporary, directory);
    } catch (error) {
      // Another process finished the same environment first: use it.
      if (!(await isReady(directory))) throw error;
      await rm(temporary, { recursive: true, force: true });
      return { directory, python, reused: true };
    }
    return { directory, python, reused: false };
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

async function step(
  options: VirtualEnvironmentOptions,
  command: string,
  args: string[],
  what: string,
): Promise<void> {
  let output = '';
  const outcome = await runProcess({
    command,
    args,
    cwd: options.dataDirectory,
    env: { ...options.env, PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    signal: options.signal,
    maxOutputBytes: 64 * 1024,
    onOutput: (_stream, chunk) => {
      output += chunk;
    },
  });
  if (outcome.cancelled) throw new SaError('CANCELLED', `Cancelled while ${what}`);
  if (outcome.exitCode !== 0) {
    throw new SaError(
      'HANDLER_ERROR',
      `Failed ${what} (exit code ${outcome.exitCode}): ${output.trim().slice(-2000)}`,
    );
  }
}
