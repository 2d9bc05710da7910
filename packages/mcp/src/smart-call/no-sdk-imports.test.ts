import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The smart-call core must stay SDK-free so both adapters (and any other SDK) can sit on it.
const self = fileURLToPath(import.meta.url);
const folder = dirname(self);
const sdkPackages = /^@modelcontextprotocol\//;
// Every module specifier: static and dynamic imports, re-exports, require calls.
const specifiers = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && path !== self ? [path] : [];
  });
}

function importsOf(path: string): string[] {
  return [...readFileSync(path, 'utf8').matchAll(specifiers)].map((match) => match[1]!);
}

describe('smart-call core', () => {
  const files = sourceFiles(folder);

  it('finds the files it checks, and the pattern sees an SDK import when there is one', () => {
    expect(files.length).toBeGreaterThan(10);
    const sample = [
      "import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';",
      "export { x } from '@modelcontextprotocol/server';",
      "const m = await import('@modelcontextprotocol/core');",
    ].join('\n');
    const found = [...sample.matchAll(specifiers)].map((match) => match[1]!);
    expect(found.filter((specifier) => sdkPackages.test(specifier))).toHaveLength(3);
  });

  it.each(files.map((path) => [path.slice(folder.length + 1), path]))(
    '%s imports no MCP SDK and nothing outside the core but @sa/*, zod and node',
    (_name, path) => {
      for (const specifier of importsOf(path)) {
        expect(specifier, `${path} imports ${specifier}`).not.toMatch(sdkPackages);
        const allowed =
          specifier.startsWith('./') ||
          specifier.startsWith('@sa/') ||
          specifier === 'zod' ||
          specifier === 'vitest' ||
          specifier.startsWith('node:');
        expect(allowed, `${path} imports ${specifier}`).toBe(true);
      }
    },
  );
});
