import { assertSafeBind, startDashboard } from '../dashboard/dashboard-server';
import type { CommandContext } from './context';
import { withStore } from './context';

/** Options of `sa-jobs dashboard`. */
export interface DashboardCommandOptions {
  host: string;
  port: number;
  readOnly?: boolean;
  token?: string;
  allowedHost?: string[];
  allowedOrigin?: string[];
}

/** `sa-jobs dashboard`: serves the web dashboard until Ctrl-C. */
export async function dashboardCommand(
  context: CommandContext,
  options: DashboardCommandOptions,
): Promise<number> {
  // Refuse an unsafe bind before touching the store.
  assertSafeBind(options.host, options.token);
  return withStore(context, async (store) => {
    const dashboard = await startDashboard({
      store,
      host: options.host,
      port: options.port,
      readOnly: options.readOnly,
      token: options.token,
      allowedHosts: options.allowedHost,
      allowedOrigins: options.allowedOrigin,
    });
    const { stderr, errorColors } = context.terminal;
    stderr.write(
      `sa-jobs dashboard${options.readOnly === true ? ' (read-only)' : ''} at ${errorColors.bold(dashboard.url)}\n`,
    );
    await new Promise<void>((resolve) => {
      if (context.signal.aborted) resolve();
      context.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await dashboard.close();
    return 0;
  });
}
