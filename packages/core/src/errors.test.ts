import { describe, expect, it } from 'vitest';
import { SaError, isSaError } from './errors';

describe('SaError', () => {
  it('is recognised by its brand', () => {
    expect(isSaError(new SaError('CANCELLED', 'x'), 'CANCELLED')).toBe(true);
  });
});
