import { isSaError } from '@sa/core';
import { describe, expect, it } from 'vitest';
import { toJsonValue } from './to-json-value';

describe('toJsonValue', () => {
  it.each([
    ['a string', 'text', 'text'],
    ['null', null, null],
    ['undefined as null', undefined, null],
    ['a Date through toJSON', new Date(0), '1970-01-01T00:00:00.000Z'],
    ['undefined members dropped', { a: 1, b: undefined }, { a: 1 }],
    ['nested arrays', [1, [true, 'x']], [1, [true, 'x']]],
  ])('keeps %s', (_name, value, expected) => {
    expect(toJsonValue(value)).toEqual(expected);
  });

  it.each([
    ['a bigint', { count: 1n }, '$.count'],
    ['NaN', [1, Number.NaN], '$[1]'],
    ['a function', { run: () => 1 }, '$.run'],
    ['a Map', { items: new Map() }, '$.items'],
    [
      'a circular reference',
      (() => {
        const value: Record<string, unknown> = {};
        value['self'] = value;
        return value;
      })(),
      '$.self',
    ],
  ])('rejects %s, naming where', (_name, value, path) => {
    let caught: unknown;
    try {
      toJsonValue(value);
    } catch (error) {
      caught = error;
    }
    expect(isSaError(caught, 'NOT_SERIALIZABLE')).toBe(true);
    expect((caught as Error).message).toContain(path);
  });

  it('accepts the same object twice when it is not circular', () => {
    const shared = { a: 1 };
    expect(toJsonValue({ first: shared, second: shared })).toEqual({
      first: { a: 1 },
      second: { a: 1 },
    });
  });
});
