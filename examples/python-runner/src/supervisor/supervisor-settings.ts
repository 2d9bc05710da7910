import type { PythonRunnerConfig } from '../config';

/** What a supervisor is started with: the store, and how jobs run. The first server's settings win. */
export type SupervisorSettings = Pick<
  PythonRunnerConfig,
  | 'dataDirectory'
  | 'store'
  | 'storeUrl'
  | 'storePrefix'
  | 'leaseSeconds'
  | 'heartbeatSeconds'
  | 'python'
  | 'maxConcurrentJobs'
  | 'maxOutputBytes'
  | 'scriptNice'
  | 'supervisorIdleSeconds'
>;

/** The environment variable a supervisor reads its settings from (JSON; kept out of `ps`). */
export const supervisorSettingsVariable = 'SA_SUPERVISOR_SETTINGS';

/** The settings a server hands the supervisor it starts. */
export function supervisorSettingsOf(config: PythonRunnerConfig): SupervisorSettings {
  return {
    dataDirectory: config.dataDirectory,
    store: config.store,
    storeUrl: config.storeUrl,
    storePrefix: config.storePrefix,
    leaseSeconds: config.leaseSeconds,
    heartbeatSeconds: config.heartbeatSeconds,
    python: config.python,
    maxConcurrentJobs: config.maxConcurrentJobs,
    maxOutputBytes: config.maxOutputBytes,
    scriptNice: config.scriptNice,
    supervisorIdleSeconds: config.supervisorIdleSeconds,
  };
}

/** Exit code of a supervisor that found another one serving its store. */
export const supervisorAlreadyRunningExitCode = 3;
