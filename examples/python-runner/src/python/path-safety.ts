import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { SaError } from '@sa/core';
import { echo } from '../bounded-echo';

/** What a checked path must be. */
export type PathKind = 'file' | 'directory' | 'any';

/** Options for `resolveInsideRoots`. */
export interface ResolveInsideRootsOptions {
  /** The allowed roots, already real paths. */
  roots: readonly string[];
  /** Relative paths are resolved against this directory (default the first root). */
  base?: string;
  /** What the path is, for messages (`directory`, `script_path`, `env_file`). */
  parameter: string;
  /** What the path must be. */
  kind: PathKind;
}

/**
 * Resolves `path` (links followed) and checks it lies inside one of the roots; refuses with a
 * message naming the allowed roots.
 *
 * @example
 * const directory = await resolveInsideRoots('project', { roots: ['/srv'], parameter: 'directory', kind: 'directory' });
 */
export async function resolveInsideRoots(
  path: string,
  options: ResolveInsideRootsOptions,
): Promise<string> {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new SaError(
      'INVALID_ARGUMENT',
      `${options.parameter} must be a non-empty path without NUL bytes`,
    );
  }
  const base = options.base ?? options.roots[0] ?? process.cwd();
  const absolute = isAbsolute(path) ? path : resolve(base, path);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch {
    throw new SaError('INVALID_ARGUMENT', `${options.parameter} ${echo(path)} does not exist`);
  }
  if (!isInsideRoots(real, options.roots)) {
    throw new SaError(
      'FORBIDDEN',
      `${options.parameter} ${echo(path)} resolves to ${echo(real)}, outside the allowed roots: ${options.roots.join(', ')} (start the server with --root to allow more)`,
    );
  }
  const info = await stat(real);
  if (options.kind === 'directory' && !info.isDirectory()) {
    throw new SaError('INVALID_ARGUMENT', `${options.parameter} ${echo(path)} is not a directory`);
  }
  if (options.kind === 'file' && !info.isFile()) {
    throw new SaError('INVALID_ARGUMENT', `${options.parameter} ${echo(path)} is not a file`);
  }
  return real;
}

/** True when `path` (a real path) is one of `roots` or lies below one. */
export function isInsideRoots(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => {
    const fromRoot = relative(root, path);
    return (
      fromRoot === '' ||
      (!fromRoot.startsWith('..' + sep) && fromRoot !== '..' && !isAbsolute(fromRoot))
    );
  });
}

/** Turns configured roots into real paths; a root that does not exist is an error. */
export async function resolveRoots(roots: readonly string[]): Promise<string[]> {
  return Promise.all(
    roots.map(async (root) => {
      try {
        return await realpath(root);
      } catch {
        throw new SaError('INVALID_ARGUMENT', `--root ${root} does not exist`);
      }
    }),
  );
}
