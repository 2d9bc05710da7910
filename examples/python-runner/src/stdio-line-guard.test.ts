import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { OversizeMessage } from './stdio-line-guard';
import { createStdioLineGuard } from './stdio-line-guard';

async function run(chunks: string[], maxLineBytes: number) {
  const dropped: OversizeMessage[] = [];
  const guard = createStdioLineGuard({
    maxLineBytes,
    onOversize: (message) => dropped.push(message),
  });
  const lines: string[] = [];
  // As the stdio transport reads: 'data' events in flowing mode, one per line passed on.
  guard.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
  const ended = new Promise((resolve) => guard.once('end', resolve));
  Readable.from(chunks.map((chunk) => Buffer.from(chunk))).pipe(guard);
  await ended;
  return { lines, dropped };
}

describe('createStdioLineGuard', () => {
  it('passes lines through one per chunk, across chunk borders', async () => {
    const { lines, dropped } = await run(['{"a":1}\n{"b"', ':2}\n{"c":3}\n'], 100);
    expect(lines).toEqual(['{"a":1}\n', '{"b":2}\n', '{"c":3}\n']);
    expect(dropped).toEqual([]);
  });

  it('drops an oversize line, reports its size and request id, and keeps the next ones', async () => {
    const big = `{"method":"tools/call","params":{"x":"${'y'.repeat(300)}"},"jsonrpc":"2.0","id":7}`;
    const { lines, dropped } = await run(
      ['{"a":1}\n', big.slice(0, 50), big.slice(50, 200), `${big.slice(200)}\n{"b":2}\n`],
      100,
    );
    expect(lines).toEqual(['{"a":1}\n', '{"b":2}\n']);
    expect(dropped).toEqual([{ bytes: big.length, id: 7 }]);
  });

  it('reads a string id at the head, and reports null when there is none', async () => {
    const withId = `{"jsonrpc":"2.0","id":"r-1","method":"x","params":"${'z'.repeat(200)}"}`;
    const withoutId = `[${'1,'.repeat(200)}1]`;
    const { dropped } = await run([`${withId}\n${withoutId}\n`], 100);
    expect(dropped).toEqual([
      { bytes: withId.length, id: 'r-1' },
      { bytes: withoutId.length, id: null },
    ]);
  });
});
