import { fileURLToPath } from 'node:url';
import { isAlive } from './is-alive';
import { allSupervisorProcesses } from './supervisor-processes';

/** This package's sources: only supervisors started from them are this test run's. */
const sources = fileURLToPath(new URL('..', import.meta.url));

/**
 * Vitest global setup: notes the supervisors already running, and at the end stops every
 * supervisor this test run started from this package's sources (tests that start servers
 * without knowing about the supervisor leave theirs idle), so no supervisor or script outlives
 * the run.
 */
export function setup(): () => Promise<void> {
  const before = new Set(allSupervisorProcesses(sources));
  return async () => {
    const started = allSupervisorProcesses(sources).filter((pid) => !before.has(pid));
    for (const pid of started) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    while (started.some(isAlive)) await new Promise((resolve) => setTimeout(resolve, 20));
  };
}
