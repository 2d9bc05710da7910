import { readFileSync, readdirSync } from 'node:fs';
import { isAlive } from './is-alive';

/** Pids of the supervisor processes serving stores of `dataDirectory` (from `/proc`, Linux). */
export function supervisorProcesses(dataDirectory: string): number[] {
  return scan((argv, entry) => {
    const at = argv.indexOf('--data-dir', entry);
    return at !== -1 && argv[at + 1] === dataDirectory;
  });
}

/** Pids of the supervisor processes whose entry file lies under `directory`. */
export function allSupervisorProcesses(directory: string): number[] {
  return scan((argv, entry) => argv[entry]?.startsWith(directory) === true);
}

function scan(matches: (argv: string[], entry: number) => boolean): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const entry = argv.findIndex((argument) => /supervisor-entry\.(ts|js)$/.test(argument));
    if (entry === -1) continue;
    if (matches(argv, entry) && isAlive(Number(name))) found.push(Number(name));
  }
  return found;
}

/** Kills the supervisors of `dataDirectory` (their launchers then end the scripts); waits until they are gone. */
export async function killSupervisors(dataDirectory: string): Promise<void> {
  const pids = supervisorProcesses(dataDirectory);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  while (pids.some(isAlive)) await new Promise((resolve) => setTimeout(resolve, 20));
}
