import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Loading the v1 adapter (or the root entry, which is the v1 API) never loads another SDK line:
// its sources name only @modelcontextprotocol/sdk, the core, and no other adapter folder.
const self = fileURLToPath(import.meta.url);
const folder = dirname(self);
const specifiers = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && path !== self ? [path] : [];
  });
}

describe('the SDK v1 adapter', () => {
  const files = [...sourceFiles(folder), join(folder, '..', 'index.ts')];

  it.each(files.map((path) => [path.slice(dirname(folder).length + 1), path]))(
    '%s imports SDK v1 only, and no other adapter',
    (_name, path) => {
      for (const [, specifier] of readFileSync(path, 'utf8').matchAll(specifiers)) {
        if (specifier!.startsWith('@modelcontextprotocol/')) {
          expect(specifier, path).toMatch(/^@modelcontextprotocol\/sdk\//);
        }
        expect(specifier, path).not.toMatch(/sdk-v2/);
      }
    },
  );
});
