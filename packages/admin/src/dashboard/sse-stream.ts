import type { ServerResponse } from 'node:http';
import type { JobEvent, JobStore } from '@sa/jobs';

/** Options of `openEventStream`. */
export interface EventStreamOptions {
  /** A comment line this often keeps proxies from closing the stream (default 15 s). */
  keepAliveMs?: number;
}

/**
 * Streams the store's change hints (`JobStore.subscribe`) to one client as server-sent events
 * (`event: job`, data `{type, id, status?, version?}`). The Redis and PostgreSQL stores deliver
 * other replicas' changes too; the file store other processes' on this machine. Returns a
 * function that ends the stream; it also ends when the client goes.
 */
export function openEventStream(
  store: JobStore,
  response: ServerResponse,
  options: EventStreamOptions = {},
): () => void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.write('retry: 1000\n: connected\n\n');
  const send = (event: JobEvent): void => {
    const data = { type: event.type, id: event.id, status: event.status, version: event.version };
    response.write(`event: job\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const unsubscribe = store.subscribe(send);
  const timer = setInterval(
    () => response.write(': keep-alive\n\n'),
    options.keepAliveMs ?? 15_000,
  );
  timer.unref?.();
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(timer);
    unsubscribe();
    response.end();
  };
  response.on('close', end);
  return end;
}
