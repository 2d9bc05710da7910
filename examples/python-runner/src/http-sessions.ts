import { ConflictError } from '@sa/core';

/** A session's transport, as the registry needs it. */
export interface ClosableSession {
  close(): Promise<void>;
}

/** Options for `createSessionRegistry`. */
export interface SessionRegistryOptions {
  /** Live sessions kept at most; a new one evicts the oldest idle one, or is refused. */
  maxSessions: number;
  /** A session with no request for this long is closed. */
  idleMs: number;
  /** Injectable clock (default `Date.now`). */
  now?: () => number;
  /** Told about every session closed by eviction or idleness. */
  onEvicted?: (id: string, why: 'idle' | 'evicted') => void;
}

/** The live HTTP sessions: bounded in number, idle ones closed, busy ones never evicted. */
export interface SessionRegistry<Session extends ClosableSession> {
  get(id: string): Session | undefined;
  /** Makes room for one more session (evicting the oldest idle one) or throws `CONFLICT`. */
  reserve(): void;
  add(id: string, session: Session): void;
  remove(id: string): void;
  /** Marks a request of the session in flight until the returned function is called. */
  begin(id: string): () => void;
  /** Closes the sessions idle longer than `idleMs`; returns how many. */
  sweep(): number;
  readonly size: number;
  /** Closes every session. */
  closeAll(): Promise<void>;
}

interface Entry<Session> {
  session: Session;
  lastSeen: number;
  inFlight: number;
}

/**
 * Keeps the live sessions of the HTTP endpoint within `maxSessions`: when full, the session idle
 * longest (no request in flight, oldest last request) is closed to make room; when every session
 * is busy, a new one is refused with a clear error.
 *
 * @example
 * const sessions = createSessionRegistry({ maxSessions: 100, idleMs: 30 * 60_000 });
 * sessions.reserve(); // before creating the transport of a new session
 */
export function createSessionRegistry<Session extends ClosableSession>(
  options: SessionRegistryOptions,
): SessionRegistry<Session> {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry<Session>>();
  const close = (id: string, why: 'idle' | 'evicted'): void => {
    const entry = entries.get(id);
    if (!entry) return;
    entries.delete(id);
    options.onEvicted?.(id, why);
    void entry.session.close().catch(() => undefined);
  };
  return {
    get: (id) => entries.get(id)?.session,
    reserve() {
      if (entries.size < options.maxSessions) return;
      let oldest: [string, Entry<Session>] | undefined;
      for (const candidate of entries) {
        if (candidate[1].inFlight > 0) continue;
        if (!oldest || candidate[1].lastSeen < oldest[1].lastSeen) oldest = candidate;
      }
      if (!oldest)
        throw new ConflictError(
          `The server has ${entries.size} live sessions (--max-sessions ${options.maxSessions}), all busy; retry later or end a session with DELETE`,
        );
      close(oldest[0], 'evicted');
    },
    add(id, session) {
      entries.set(id, { session, lastSeen: now(), inFlight: 0 });
    },
    remove(id) {
      entries.delete(id);
    },
    begin(id) {
      const entry = entries.get(id);
      if (!entry) return () => undefined;
      entry.inFlight += 1;
      entry.lastSeen = now();
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        entry.inFlight -= 1;
        entry.lastSeen = now();
      };
    },
    sweep() {
      const cutoff = now() - options.idleMs;
      let closed = 0;
      for (const [id, entry] of entries) {
        if (entry.inFlight > 0 || entry.lastSeen >= cutoff) continue;
        close(id, 'idle');
        closed += 1;
      }
      return closed;
    },
    get size() {
      return entries.size;
    },
    async closeAll() {
      const sessions = [...entries.values()].map((entry) => entry.session);
      entries.clear();
      await Promise.all(sessions.map((session) => session.close().catch(() => undefined)));
    },
  };
}
