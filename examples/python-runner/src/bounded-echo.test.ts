import { describe, expect, it } from 'vitest';
import { echo, echoPrefixLength } from './bounded-echo';

describe('echo', () => {
  it('quotes a short string whole', () => {
    expect(echo('abc')).toBe('"abc"');
  });

  it('cuts a long string to a prefix and its length', () => {
    const text = echo('y'.repeat(100_000));
    expect(text).toBe(`"${'y'.repeat(echoPrefixLength)}"… (100000 characters)`);
  });

  it('escapes control characters and NUL bytes', () => {
    expect(echo('a\0b\n')).toBe('"a\\u0000b\\n"');
  });

  it.each([
    [1e308, '1e+308'],
    [Number.NaN, 'NaN'],
    [null, 'null'],
    [true, 'true'],
    [[1, 2, 3], 'a list of 3'],
    [{ a: 1 }, 'object'],
  ])('describes %s without repeating structures', (value, expected) => {
    expect(echo(value)).toBe(expected);
  });
});
