import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidArgumentError } from '@sa/core';
import { echo } from '../bounded-echo';

/** The longest dependency entry accepted, characters. */
export const maxDependencyLength = 2000;

/**
 * One entry of `dependencies`, as pip would read it: a requirement it resolves from an index
 * (or a remote URL), or a local file or folder (a path, a `file:` URL, a PEP 508 direct
 * reference to one, or an editable `-e` install), which must lie inside a `--root`.
 */
export type DependencyReference =
  | { kind: 'requirement'; text: string }
  | {
      kind: 'local';
      /** The path as given (relative, absolute, or from a `file:` URL); not yet checked. */
      path: string;
      /** Installed with `-e` / `--editable`. */
      editable: boolean;
      /** `name[extras]` of a PEP 508 direct reference (`name @ file:///...`), else null. */
      name: string | null;
    };

const editablePattern = /^(?:-e|--editable)(?:\s*=\s*|\s+|(?=[./~]))(?<target>.+)$/s;
const directReferencePattern =
  /^(?<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*(?:\[[^\]]*\])?)\s*@\s*(?<url>\S+)(?<rest>.*)$/s;
const schemePattern = /^(?<scheme>[A-Za-z][A-Za-z0-9+.-]*):/;

function refuse(dependency: string, problem: string): never {
  throw new InvalidArgumentError(`dependencies: ${echo(dependency)} ${problem}`, {
    data: { field: 'dependencies' },
  });
}

/**
 * Reads a dependency entry the way pip would, refusing what pip would take as an option
 * (`-r`, `--index-url`, ...), line breaks and NUL bytes; local references are returned with
 * their path so the caller can hold them to the roots.
 *
 * @example
 * parseDependency('wheel @ file:///srv/x.whl'); // { kind: 'local', path: '/srv/x.whl', editable: false, name: 'wheel' }
 */
export function parseDependency(dependency: unknown): DependencyReference {
  if (typeof dependency !== 'string' || dependency.trim() === '')
    throw new InvalidArgumentError('dependencies: an entry is empty or not a string', {
      data: { field: 'dependencies' },
    });
  if (dependency.length > maxDependencyLength)
    refuse(dependency, `is longer than ${maxDependencyLength} characters`);
  if (/[\n\r\0]/.test(dependency)) refuse(dependency, 'contains a line break or a NUL byte');
  const text = dependency.trim();
  const editable = editablePattern.exec(text);
  if (editable) {
    const target = localTarget(dependency, editable.groups?.target?.trim() ?? '');
    if (target === null) refuse(dependency, 'is an editable install of something not local');
    return { kind: 'local', path: target, editable: true, name: null };
  }
  if (text.startsWith('-') || /\s-/.test(text))
    refuse(
      dependency,
      'looks like a pip option (-r, -c, --index-url, ...); give requirements, or paths of wheels or folders inside a root',
    );
  const direct = directReferencePattern.exec(text);
  if (direct) {
    const url = direct.groups?.url ?? '';
    const target = localTarget(dependency, url);
    if (target === null) return { kind: 'requirement', text };
    const rest = (direct.groups?.rest ?? '').trim();
    if (rest !== '' && !rest.startsWith(';'))
      refuse(dependency, 'has text after its URL that is not an environment marker');
    return {
      kind: 'local',
      path: target,
      editable: false,
      name: (direct.groups?.name ?? '').replace(/\s+/g, ''),
    };
  }
  const target = localTarget(dependency, text);
  if (target !== null) return { kind: 'local', path: target, editable: false, name: null };
  if (schemePattern.test(text) && /^[A-Za-z][A-Za-z0-9+.-]+:\/\//.test(text))
    return { kind: 'requirement', text };
  if (!/^[A-Za-z0-9]/.test(text))
    refuse(
      dependency,
      'is not a requirement (it must start with a distribution name, e.g. "rich>=13")',
    );
  return { kind: 'requirement', text };
}

/** The local path a pip target names (a `file:` URL or a path), or null for a requirement or a remote URL. */
function localTarget(dependency: string, target: string): string | null {
  const scheme = schemePattern.exec(target)?.groups?.scheme?.toLowerCase();
  // One letter is a Windows drive, not a URL scheme.
  if (scheme !== undefined && scheme.length > 1) {
    if (scheme === 'file') {
      try {
        return fileURLToPath(target);
      } catch {
        refuse(dependency, 'is a file: URL that names no local path');
      }
    }
    if (scheme.endsWith('+file'))
      refuse(dependency, 'is a local version-control URL; give the folder path instead');
    return null;
  }
  if (
    target === '.' ||
    target === '..' ||
    /[/\\]/.test(target) ||
    /\.(whl|tar\.gz|tgz|tar\.bz2|zip)$/i.test(target)
  )
    return target;
  return null;
}

/** The entry pip and uv get for a checked local reference whose path is now `realPath`. */
export function formatLocalDependency(
  reference: Extract<DependencyReference, { kind: 'local' }>,
  realPath: string,
): string {
  if (reference.editable) return `-e ${realPath}`;
  if (reference.name) return `${reference.name} @ ${pathToFileURL(realPath).href}`;
  return realPath;
}

/** The local path of an entry, as `formatLocalDependency` wrote it; null for a requirement. */
export function localPathOf(dependency: string): string | null {
  const reference = parseDependency(dependency);
  return reference.kind === 'local' ? reference.path : null;
}

/** The pip arguments of an entry: `-e` and its path as two arguments, else the entry itself. */
export function pipArguments(dependency: string): string[] {
  const reference = parseDependency(dependency);
  if (reference.kind === 'local' && reference.editable) return ['-e', reference.path];
  return [dependency];
}

/** The `uv run` arguments of an entry: `--with-editable <path>` or `--with <entry>`. */
export function uvArguments(dependency: string): string[] {
  const reference = parseDependency(dependency);
  if (reference.kind === 'local' && reference.editable) return ['--with-editable', reference.path];
  return ['--with', dependency];
}
