import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The folder of the shipped `smart_async_progress.py` (from sources or from `dist`), if found. */
export function findHelperDirectory(): string | undefined {
  for (const relative of ['../../python', '../python']) {
    const candidate = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${candidate}/smart_async_progress.py`)) return candidate;
  }
  return undefined;
}
