import type { JobStore } from '@sa/jobs';
import type { StoreSelection } from '../store-selection';
import { openStore } from '../store-selection';
import type { Terminal } from './terminal';

/** What every command gets: the terminal, and the store it opens (and closes) on demand. */
export interface CommandContext {
  terminal: Terminal;
  selection: StoreSelection;
  /** Stops a long-running command (tail, dashboard): Ctrl-C. */
  signal: AbortSignal;
}

/** Opens the selected store, runs `action` with it, and closes it whatever happens. */
export async function withStore<T>(
  context: CommandContext,
  action: (store: JobStore) => Promise<T>,
): Promise<T> {
  const store = await openStore(context.selection);
  try {
    return await action(store);
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** Writes a value as pretty JSON on stdout. */
export function printJson(context: CommandContext, value: unknown): void {
  context.terminal.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
