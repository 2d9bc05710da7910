import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, NotFoundError, SaError } from '@sa/core';
import {
  formatScriptMetadata,
  readDocstring,
  readScriptMetadata,
  withScriptMetadata,
} from './script-metadata';
import { parseDependency } from './dependency-reference';
import { parseVersionRequirement } from './interpreter';
import { echo } from '../bounded-echo';

const namePattern = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,99}$/;

/** A saved script as `py_list_scripts` shows it. */
export interface SavedScriptSummary {
  name: string;
  path: string;
  docstring: string | null;
  header: string | null;
}

/** The file of a saved script; throws `INVALID_ARGUMENT` for a name that is not a plain name. */
export function savedScriptPath(scriptsDirectory: string, scriptName: string): string {
  const name = scriptName.endsWith('.py') ? scriptName.slice(0, -3) : scriptName;
  if (!namePattern.test(name)) {
    throw new InvalidArgumentError(
      `script_name ${echo(scriptName)} must be letters, digits, _ and - (at most 100), without a path`,
    );
  }
  return join(scriptsDirectory, `${name}.py`);
}

/** Options for `saveScript`. */
export interface SaveScriptOptions {
  scriptsDirectory: string;
  scriptName: string;
  source: string;
  dependencies?: readonly string[];
  requiresPython?: string | null;
  overwrite?: boolean;
}

/**
 * Saves a script with a PEP 723 header (dependencies merged with any header it already had).
 *
 * @example
 * await saveScript({ scriptsDirectory, scriptName: 'hello', source: 'print("hi")', dependencies: ['rich'] });
 */
export async function saveScript(
  options: SaveScriptOptions,
): Promise<{ written: boolean; path: string; message: string }> {
  const path = savedScriptPath(options.scriptsDirectory, options.scriptName);
  if (options.source.includes('\0'))
    throw new InvalidArgumentError('source contains a NUL byte', { data: { field: 'source' } });
  const given = options.dependencies ?? [];
  const existing = readScriptMetadata(options.source);
  const dependencies = [...new Set([...existing.dependencies, ...given])];
  const requiresPython = options.requiresPython ?? existing.requiresPython;
  // As the run tools check them, so a saved header holds nothing a run would refuse.
  for (const dependency of dependencies) {
    if (parseDependency(dependency).kind === 'local' && dependency.trim().startsWith('-'))
      throw new InvalidArgumentError(
        `dependencies: ${echo(dependency)} is an editable install, which a PEP 723 header cannot hold`,
        { data: { field: 'dependencies' } },
      );
  }
  if (requiresPython !== null && requiresPython.trim() !== '')
    parseVersionRequirement(requiresPython, 'requires_python');
  const content = withScriptMetadata(
    options.source,
    formatScriptMetadata(dependencies, requiresPython),
  );
  await mkdir(options.scriptsDirectory, { recursive: true });
  if (!options.overwrite && (await exists(path))) {
    return { written: false, path, message: `${path} exists; pass overwrite=true to replace it` };
  }
  const temporary = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  await writeFile(temporary, content.endsWith('\n') ? content : `${content}\n`);
  await rename(temporary, path);
  return { written: true, path, message: `Saved ${path}` };
}

/** Lists saved scripts with their docstring (at most 300 characters) and PEP 723 header. */
export async function listScripts(scriptsDirectory: string): Promise<SavedScriptSummary[]> {
  let names: string[];
  try {
    names = await readdir(scriptsDirectory);
  } catch {
    return [];
  }
  const scripts = await Promise.all(
    names
      .filter((name) => name.endsWith('.py'))
      .sort()
      .map(async (fileName) => {
        const path = join(scriptsDirectory, fileName);
        const source = await readFile(path, 'utf8');
        return {
          name: fileName.slice(0, -3),
          path,
          docstring: readDocstring(source),
          header: readScriptMetadata(source).header,
        };
      }),
  );
  return scripts;
}

/** Reads a saved script; `NOT_FOUND` naming it when there is none. */
export async function readSavedScript(
  scriptsDirectory: string,
  scriptName: string,
): Promise<{ path: string; source: string }> {
  const path = savedScriptPath(scriptsDirectory, scriptName);
  try {
    return { path, source: await readFile(path, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(
        `No saved script named ${echo(scriptName)} (py_list_scripts lists them)`,
      );
    }
    throw new SaError('INTERNAL', `Cannot read ${path}`, { cause: error });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}
