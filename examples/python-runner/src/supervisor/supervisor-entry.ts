import { mkdirSync } from 'node:fs';
import type { Logger } from '../logger';
import { acquireSupervisorLock } from './supervisor-lock';
import { supervisorPaths } from './supervisor-paths';
import type { SupervisorSettings } from './supervisor-settings';
import {
  supervisorAlreadyRunningExitCode,
  supervisorSettingsVariable,
} from './supervisor-settings';
import { runSupervisor } from './supervisor';

/** Timestamped log lines on stderr (the supervisor's stderr is its log file). */
function createTimestampLogger(): Logger {
  const write = (level: string, message: string): void => {
    process.stderr.write(
      `${new Date().toISOString()} [sa-python-runner supervisor ${process.pid}] ${level}: ${message}\n`,
    );
  };
  return {
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
  };
}

/** The supervisor process: settings from the environment, one per store (lock), until idle or stopped. */
async function main(): Promise<void> {
  const logger = createTimestampLogger();
  const text = process.env[supervisorSettingsVariable];
  if (text === undefined) {
    logger.error(`${supervisorSettingsVariable} is not set: a server starts the supervisor`);
    process.exit(2);
  }
  const settings = JSON.parse(text) as SupervisorSettings;
  delete process.env[supervisorSettingsVariable];
  const paths = supervisorPaths(settings);
  mkdirSync(paths.directory, { recursive: true, mode: 0o700 });
  const lock = acquireSupervisorLock(paths.lock);
  if (!lock.acquired) {
    logger.info(`another supervisor (pid ${lock.heldBy}) serves this store; exiting`);
    process.exit(supervisorAlreadyRunningExitCode);
  }
  let supervisor: Awaited<ReturnType<typeof runSupervisor>>;
  try {
    supervisor = await runSupervisor({ settings, paths, lock, logger });
  } catch (error) {
    lock.release();
    throw error;
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    void supervisor.stop(`the supervisor received ${signal}`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', () => undefined);
  await supervisor.stopped;
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${new Date().toISOString()} [sa-python-runner supervisor ${process.pid}] error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
