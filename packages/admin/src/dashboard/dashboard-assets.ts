import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the page needs, with its content type. */
export interface Asset {
  body: Buffer;
  contentType: string;
}

const contentTypes: Record<string, string> = {
  'dashboard.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** The package's `assets/` folder: found by walking up from this module (src or dist). */
function assetDirectory(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(folder, 'assets');
    if (existsSync(join(candidate, 'dashboard.html'))) return candidate;
    folder = dirname(folder);
  }
  throw new Error('@sa/admin: the dashboard assets folder is missing from the package');
}

/**
 * Loads every asset of the page once (they ship in the package: no CDN, works offline).
 */
export function loadAssets(): Map<string, Asset> {
  const directory = assetDirectory();
  return new Map(
    Object.entries(contentTypes).map(([name, contentType]) => [
      name,
      { body: readFileSync(join(directory, name)), contentType },
    ]),
  );
}
