import type { ProgressUpdate } from '@sa/core';

const progressPattern = /^::progress\s+(-?\d+(?:\.\d+)?)(?:\s*\/\s*(\d+(?:\.\d+)?))?(?:\s+(.*))?$/;

/**
 * Parses one `::progress <current>[/<total>] [message]` line; undefined for any other line.
 *
 * @example
 * parseProgressLine('::progress 3/10 loading'); // { progress: 3, total: 10, message: 'loading' }
 */
export function parseProgressLine(line: string): ProgressUpdate | undefined {
  const match = progressPattern.exec(line.trim());
  if (!match) return undefined;
  const update: ProgressUpdate = { progress: Number(match[1]) };
  if (match[2] !== undefined) update.total = Number(match[2]);
  const message = match[3]?.trim();
  if (message) update.message = message;
  return update;
}

/** Longest partial line kept while waiting for its end; longer lines cannot be progress lines. */
const maximumLineLength = 4096;

/** Splits a stream of text into lines and reports the progress lines among them. */
export function createProgressLineReader(
  onProgress: (update: ProgressUpdate) => void,
): (text: string) => void {
  let pending = '';
  let overlong = false;
  return (text) => {
    let start = 0;
    for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', start)) {
      const line = pending + text.slice(start, index);
      start = index + 1;
      if (!overlong) {
        const update = parseProgressLine(line.endsWith('\r') ? line.slice(0, -1) : line);
        if (update) onProgress(update);
      }
      pending = '';
      overlong = false;
    }
    if (overlong) return;
    pending += text.slice(start);
    if (pending.length > maximumLineLength) {
      pending = '';
      overlong = true;
    }
  };
}
