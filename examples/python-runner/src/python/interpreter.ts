import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { InvalidArgumentError, SaError } from '@sa/core';
import { echo } from '../bounded-echo';

const execFileAsync = promisify(execFile);

/** What a Python interpreter says about itself. */
export interface PythonInfo {
  /** The command used to run it (as configured or found on PATH). */
  command: string;
  /** `sys.executable`: what scripts run with (skips launcher shims such as pyenv's on every run). */
  executable: string;
  /** Full version, e.g. `3.11.7`. */
  version: string;
  /** `sys.stdlib_module_names` (empty before Python 3.10). */
  stdlibModuleNames: ReadonlySet<string>;
  /** Whether `python -m pip` works (used to fill cached environments). */
  hasPip: boolean;
}

const probeScript = `
import json, sys
try:
    import pip  # noqa: F401
    has_pip = True
except Exception:
    has_pip = False
print(json.dumps({"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3],
  "stdlib": sorted(getattr(sys, "stdlib_module_names", [])), "has_pip": has_pip}))
`;

const probes = new Map<string, Promise<PythonInfo>>();

/** Asks an interpreter for its version, standard-library module names and pip (cached per command). */
export function probePython(command: string): Promise<PythonInfo> {
  let probe = probes.get(command);
  if (!probe) {
    probe = runProbe(command);
    probes.set(command, probe);
    probe.catch(() => probes.delete(command));
  }
  return probe;
}

async function runProbe(command: string): Promise<PythonInfo> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(command, ['-c', probeScript], { timeout: 15_000 }));
  } catch (error) {
    throw new SaError(
      'INVALID_ARGUMENT',
      `The Python interpreter ${command} cannot be run: ${firstLine(error)}`,
      {
        cause: error,
      },
    );
  }
  const parsed = JSON.parse(stdout) as {
    executable: string;
    version: string;
    stdlib: string[];
    has_pip: boolean;
  };
  return {
    command,
    executable: parsed.executable,
    version: parsed.version,
    stdlibModuleNames: new Set(parsed.stdlib),
    hasPip: parsed.has_pip,
  };
}

const clausePattern = /^(>=|<=|==|!=|~=|>|<)?\s*(\d+(?:\.\d+){0,2})(?:\.\*)?$/;

/** One clause of a version requirement. */
interface VersionClause {
  operator: string;
  parts: number[];
}

/**
 * Parses `3.12`, `3.12.1`, `>=3.10`, `>=3.9,<3.13` or `~=3.11`; throws `INVALID_ARGUMENT`
 * for anything else.
 */
export function parseVersionRequirement(
  requested: string,
  field = 'python_version',
): VersionClause[] {
  const clauses = requested.split(',').map((clause) => clausePattern.exec(clause.trim()));
  if (clauses.length === 0 || clauses.some((clause) => clause === null)) {
    throw new InvalidArgumentError(
      `${field} ${echo(requested)} is not a version (use e.g. "3.12", "3.12.1" or ">=3.10")`,
    );
  }
  return clauses.map((clause) => ({
    operator: clause?.[1] ?? '==',
    parts: (clause?.[2] ?? '').split('.').map(Number),
  }));
}

/** True when `version` (e.g. `3.11.7`) satisfies `requested` (e.g. `3.11`, `>=3.10,<4`). */
export function versionSatisfies(version: string, requested: string): boolean {
  const actual = version.split('.').map(Number);
  return parseVersionRequirement(requested).every(({ operator, parts }) => {
    let difference = 0;
    for (let index = 0; index < parts.length && difference === 0; index += 1) {
      difference = (actual[index] ?? 0) - (parts[index] ?? 0);
    }
    switch (operator) {
      case '>=':
        return difference >= 0;
      case '>':
        return difference > 0;
      case '<=':
        return difference <= 0;
      case '<':
        return difference < 0;
      case '!=':
        return difference !== 0;
      case '~=':
        return difference >= 0 && actual[0] === parts[0];
      default:
        return difference === 0;
    }
  });
}

/** Options for `selectPython`. */
export interface SelectPythonOptions {
  /** The configured interpreter (`--python`, default `python3`). */
  configured: string;
  /** A requested version; undefined or null for the configured interpreter as it is. */
  requested?: string | null;
  /** PATH to search for `pythonX.Y` when the configured one does not fit. */
  path?: string;
}

/**
 * The interpreter to use: the configured one when it satisfies `requested`, else a
 * `pythonX.Y` from PATH that does; otherwise a clear error, never a silent fallback.
 */
export async function selectPython(options: SelectPythonOptions): Promise<PythonInfo> {
  const configured = await probePython(options.configured);
  const requested = options.requested?.trim();
  if (!requested) return configured;
  if (versionSatisfies(configured.version, requested)) return configured;
  const candidates = [
    ...new Set(
      parseVersionRequirement(requested)
        .filter(({ operator, parts }) => ['==', '>=', '~='].includes(operator) && parts.length >= 2)
        .map(({ parts }) => `python${parts[0]}.${parts[1]}`),
    ),
  ].slice(0, 4);
  for (const candidate of candidates) {
    const found = await findExecutable(candidate, options.path);
    if (!found) continue;
    try {
      const info = await probePython(found);
      if (versionSatisfies(info.version, requested)) return info;
    } catch {
      // A shim that cannot run this version: keep looking.
    }
  }
  throw new InvalidArgumentError(
    `python_version ${echo(requested)} cannot be satisfied: ${options.configured} is Python ${configured.version}` +
      (candidates.length > 0 ? ` and no working ${candidates.join(', ')} was found on PATH` : '') +
      '; install that version, pass --python, or install uv and use use_uv=true',
  );
}

/** The first executable called `name` on PATH, or undefined. */
export async function findExecutable(
  name: string,
  path = process.env.PATH ?? '',
): Promise<string | undefined> {
  for (const directory of path.split(delimiter)) {
    if (!directory) continue;
    const candidate = join(directory, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: string } | undefined)?.stderr?.trim();
  if (stderr) return stderr.split('\n').slice(-1)[0] ?? stderr;
  return error instanceof Error ? error.message : String(error);
}
