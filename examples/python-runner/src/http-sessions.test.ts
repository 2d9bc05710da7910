import { describe, expect, it } from 'vitest';
import { createSessionRegistry } from './http-sessions';

function fakeSession() {
  const session = { closed: false, close: () => Promise.resolve(void (session.closed = true)) };
  return session;
}

describe('createSessionRegistry', () => {
  it('evicts the oldest idle session when full, never a busy one', () => {
    let time = 0;
    const evicted: string[] = [];
    const sessions = createSessionRegistry<ReturnType<typeof fakeSession>>({
      maxSessions: 3,
      idleMs: 1_000_000,
      now: () => time,
      onEvicted: (id) => evicted.push(id),
    });
    const a = fakeSession();
    for (const [id, session] of [
      ['a', a],
      ['b', fakeSession()],
      ['c', fakeSession()],
    ] as const) {
      time += 1;
      sessions.add(id, session);
    }
    const endA = sessions.begin('a'); // a is busy: b is now the oldest idle one
    time += 1;
    sessions.reserve();
    expect(evicted).toEqual(['b']);
    expect(sessions.get('b')).toBeUndefined();
    sessions.add('d', fakeSession());
    endA();
    time += 1;
    sessions.reserve();
    expect(evicted).toEqual(['b', 'c']);
    expect(a.closed).toBe(false);
  });

  it('refuses a new session with a clear error when every session is busy', () => {
    const sessions = createSessionRegistry({ maxSessions: 1, idleMs: 1000 });
    sessions.add('a', fakeSession());
    sessions.begin('a');
    expect(() => sessions.reserve()).toThrow(/1 live sessions \(--max-sessions 1\), all busy/);
  });

  it('closes sessions idle longer than idleMs, not busy ones', () => {
    let time = 0;
    const sessions = createSessionRegistry({ maxSessions: 10, idleMs: 100, now: () => time });
    sessions.add('idle', fakeSession());
    sessions.add('busy', fakeSession());
    sessions.begin('busy');
    time = 101;
    expect(sessions.sweep()).toBe(1);
    expect(sessions.get('idle')).toBeUndefined();
    expect(sessions.get('busy')).toBeDefined();
  });
});
