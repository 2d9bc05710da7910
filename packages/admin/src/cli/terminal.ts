import picocolors from 'picocolors';
import type { Colors } from 'picocolors/types';

/** Where a command writes, and what it knows of the terminal. */
export interface Terminal {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Colours for stdout: real only on a TTY and never with `NO_COLOR` set. */
  colors: Colors;
  /** Colours for stderr, by the same rule. */
  errorColors: Colors;
  /** The width tables must fit (the terminal's columns; unbounded when not a TTY). */
  columns: number;
}

/** True when `stream` is a terminal and `NO_COLOR` is unset or empty (https://no-color.org). */
export function colorsWanted(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return stream.isTTY === true && !noColor && env.TERM !== 'dumb';
}

/** The terminal of this process. */
export function processTerminal(env: NodeJS.ProcessEnv = process.env): Terminal {
  const { stdout, stderr } = process;
  const columnsFromEnv = Number(env.COLUMNS);
  return {
    stdout,
    stderr,
    colors: picocolors.createColors(colorsWanted(stdout, env)),
    errorColors: picocolors.createColors(colorsWanted(stderr, env)),
    columns: stdout.isTTY
      ? (stdout.columns ?? 80)
      : Number.isInteger(columnsFromEnv) && columnsFromEnv > 0
        ? columnsFromEnv
        : Number.POSITIVE_INFINITY,
  };
}
