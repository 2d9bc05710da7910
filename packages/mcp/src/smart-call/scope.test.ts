import { describe, expect, it } from 'vitest';
import { resolveCallerScope } from './scope';

const auth = (extra?: Record<string, unknown>, clientId = 'app') => ({
  token: 't',
  clientId,
  scopes: [],
  extra,
});

describe('resolveCallerScope', () => {
  it.each([
    ['the auth subject first', { authInfo: auth({ sub: 'alice' }), sessionId: 's1' }, 'auth:alice'],
    ['the client id without a subject', { authInfo: auth(), sessionId: 's1' }, 'auth-client:app'],
    ['the session without auth', { sessionId: 's1' }, 'session:s1'],
    ['null without either', {}, null],
  ])('uses %s', (_name, source, expected) => {
    expect(resolveCallerScope(source, false)).toEqual({ create: expected, read: expected });
  });

  it('opts out with shared jobs: created unscoped, reads everything', () => {
    expect(resolveCallerScope({ sessionId: 's1' }, true)).toEqual({
      create: null,
      read: undefined,
    });
  });
});
