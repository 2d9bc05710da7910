import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { maxTimerDelayMs } from '@sa/core';
import { describe, expect, it } from 'vitest';
import { assertDurationSeconds, maxDurationSeconds } from './duration-limits';

describe('duration limits', () => {
  it("are @sa/core's largest timer delay in whole seconds", () => {
    expect(maxDurationSeconds).toBe(Math.floor(maxTimerDelayMs / 1000));
    expect(() => assertDurationSeconds('timeout_seconds', maxDurationSeconds)).not.toThrow();
    expect(() => assertDurationSeconds('timeout_seconds', maxDurationSeconds + 1)).toThrow(
      `timeout_seconds must be at most ${maxDurationSeconds} seconds`,
    );
  });

  it('the timer limit is written in @sa/core only: no source file here keeps its own copy', async () => {
    const copies: string[] = [];
    const entries = await readdir(import.meta.dirname, { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.includes('.test.')) continue;
      const path = join(entry.parentPath, entry.name);
      if (/2_?147_?483_?64[78]/.test(await readFile(path, 'utf8'))) copies.push(path);
    }
    expect(copies).toEqual([]);
  });
});
