import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** This package's version, read from its package.json (from `src/` and from `dist/` alike). */
export function packageVersion(): string {
  try {
    const path = fileURLToPath(new URL('../package.json', import.meta.url));
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
