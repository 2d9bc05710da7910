/** Where the server writes its log lines: stderr only, never stdout (stdio carries the protocol). */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger writing `[sa-python-runner] level: message` lines to stderr; `quiet` keeps only errors. */
export function createStderrLogger(options: { quiet?: boolean } = {}): Logger {
  const write = (level: string, message: string): void => {
    process.stderr.write(`[sa-python-runner] ${level}: ${message}\n`);
  };
  return {
    info: (message) => {
      if (!options.quiet) write('info', message);
    },
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
  };
}
