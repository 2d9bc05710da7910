/** The PEP 723 inline metadata of a script. */
export interface ScriptMetadata {
  /** The whole `# /// script` … `# ///` block as written, or null when there is none. */
  header: string | null;
  dependencies: string[];
  requiresPython: string | null;
}

// The reference regular expression of PEP 723, restricted to the `script` type.
const blockPattern = /^# \/\/\/ script$\s(?<content>(^#(| .*)$\s)+)^# \/\/\/$/m;

/**
 * Reads the PEP 723 `# /// script` block of a script: its dependencies and `requires-python`.
 *
 * @example
 * readScriptMetadata('# /// script\n# dependencies = ["rich"]\n# ///\nimport rich\n').dependencies; // ['rich']
 */
export function readScriptMetadata(source: string): ScriptMetadata {
  const match = blockPattern.exec(source);
  if (!match) return { header: null, dependencies: [], requiresPython: null };
  const toml = (match.groups?.content ?? '')
    .split('\n')
    .map((line) => (line.startsWith('# ') ? line.slice(2) : line.slice(1)))
    .join('\n');
  const dependenciesText = /^dependencies\s*=\s*\[([\s\S]*?)\]/m.exec(toml)?.[1] ?? '';
  const dependencies = [...dependenciesText.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map(
    (item) => item[1] ?? item[2] ?? '',
  );
  const requiresPython = /^requires-python\s*=\s*["']([^"']*)["']/m.exec(toml)?.[1] ?? null;
  return { header: match[0], dependencies, requiresPython };
}

/** Writes a PEP 723 block for these dependencies and Python requirement. */
export function formatScriptMetadata(
  dependencies: readonly string[],
  requiresPython: string | null,
): string {
  const lines = ['# /// script'];
  if (requiresPython) lines.push(`# requires-python = ${JSON.stringify(requiresPython)}`);
  lines.push('# dependencies = [');
  for (const dependency of dependencies) lines.push(`#   ${JSON.stringify(dependency)},`);
  lines.push('# ]', '# ///');
  return lines.join('\n');
}

/** The source with its PEP 723 block replaced by (or prefixed with) `header`. */
export function withScriptMetadata(source: string, header: string): string {
  const existing = blockPattern.exec(source);
  // Spliced, not `String.replace`: `$&`, `$'` or `` $` `` in the header must stay literal.
  if (existing)
    return `${source.slice(0, existing.index)}${header}${source.slice(existing.index + existing[0].length)}`;
  if (source.startsWith('#!')) {
    const end = source.indexOf('\n');
    return `${source.slice(0, end + 1)}${header}\n${source.slice(end + 1)}`;
  }
  return `${header}\n${source}`;
}

/** The module docstring (at most `maxLength` characters), or null. */
export function readDocstring(source: string, maxLength = 300): string | null {
  const body = source.replace(/^(?:[ \t]*(?:#.*)?\r?\n)*/, '');
  const match = /^[rRuU]?("""|''')([\s\S]*?)\1|^[rRuU]?(["'])(.*?)\3/.exec(body);
  const text = (match?.[2] ?? match?.[4])?.trim();
  if (!text) return null;
  return text.length > maxLength ? text.slice(0, maxLength) : text;
}
