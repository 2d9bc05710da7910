import { describe, expect, it } from 'vitest';
import { protectDashIds } from './dash-ids';

describe('protectDashIds', () => {
  it.each([
    [
      ['show', 'AbcdefghijklmnopqrstuV'],
      ['show', 'AbcdefghijklmnopqrstuV'],
    ],
    [
      ['tail', '-TAknetRPjD5gk4fKng0_w', '--json'],
      ['tail', '--json', '--', '-TAknetRPjD5gk4fKng0_w'],
    ],
    [
      ['show', '--json', '--cdefghijklmnopqrstuv'],
      ['show', '--json', '--', '--cdefghijklmnopqrstuv'],
    ],
    [
      ['cancel', 'a', '-TAknetRPjD5gk4fKng0_w', '--wait', '-UAknetRPjD5gk4fKng0_w'],
      ['cancel', 'a', '--wait', '--', '-TAknetRPjD5gk4fKng0_w', '-UAknetRPjD5gk4fKng0_w'],
    ],
    [
      ['list', '--cursor', '-TAknetRPjD5gk4fKng0_w'],
      ['list', '--cursor', '-TAknetRPjD5gk4fKng0_w'],
    ],
    [
      ['show', '--', '-TAknetRPjD5gk4fKng0_w'],
      ['show', '--', '-TAknetRPjD5gk4fKng0_w'],
    ],
    [
      ['list', '--bogus'],
      ['list', '--bogus'],
    ],
  ])('%o', (argv, expected) => {
    expect(protectDashIds(argv)).toEqual(expected);
  });
});
