/** The callbacks waiting on one signal, behind the single listener added to it. */
interface SharedAbortListener {
  callbacks: Set<() => void>;
  onAbort: () => void;
}

const sharedListeners = new WeakMap<AbortSignal, SharedAbortListener>();

/**
 * Calls `callback` once when `signal` aborts; returns a function that forgets it. However many
 * callers wait on one signal, it carries a single `abort` listener (removed with the last
 * caller), so many concurrent waits never trigger `MaxListenersExceededWarning`.
 */
export function onAbortShared(signal: AbortSignal, callback: () => void): () => void {
  let shared = sharedListeners.get(signal);
  if (shared === undefined) {
    const callbacks = new Set<() => void>();
    const onAbort = (): void => {
      sharedListeners.delete(signal);
      for (const waiting of [...callbacks]) waiting();
      callbacks.clear();
    };
    shared = { callbacks, onAbort };
    sharedListeners.set(signal, shared);
    signal.addEventListener('abort', onAbort, { once: true });
  }
  const entry = shared;
  // A distinct function per call, so the same callback registered twice is forgotten once.
  const once = (): void => callback();
  entry.callbacks.add(once);
  return () => {
    if (!entry.callbacks.delete(once) || entry.callbacks.size > 0) return;
    if (sharedListeners.get(signal) === entry) sharedListeners.delete(signal);
    signal.removeEventListener('abort', entry.onAbort);
  };
}
