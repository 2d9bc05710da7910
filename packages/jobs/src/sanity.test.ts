import { expect, it } from 'vitest';
import { SaError } from '@sa/core';

it('resolves @sa/core from source', () => {
  expect(new SaError('CONFLICT', 'x').code).toBe('CONFLICT');
});
