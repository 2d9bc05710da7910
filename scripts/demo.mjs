// The main demo: the python-runner example's demo once it exists, else the @sa/core demo.
// Waits for the demo to finish (it cleans up after itself, also on Ctrl-C or SIGTERM) and
// exits with its status.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const candidates = ['examples/python-runner', 'packages/core'];
const found = candidates
  .map((folder) => {
    try {
      const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'));
      return { folder, script: manifest.scripts?.demo };
    } catch {
      return { folder, script: undefined };
    }
  })
  .find(({ script }) => typeof script === 'string');
if (!found) {
  console.error('No demo found.');
  process.exit(1);
}
// The demo's own `node ...` command, started directly rather than through `pnpm run`: pnpm does
// not pass a signal on to its script, so a SIGTERM sent to this process alone would leave the
// demo running without its parent.
const [command, ...args] = found.script.split(' ');
if (command !== 'node')
  throw new Error(`the demo script must be a plain node command: ${found.script}`);
const child = spawn(process.execPath, [...args, ...process.argv.slice(2)], {
  cwd: join(root, found.folder),
  stdio: 'inherit',
});
// Ctrl-C reaches the whole process group, the demo included (it ignores a repeat); a signal
// sent to this process alone is passed on. Either way this process stays until the demo has
// cleaned up, and exits with its status.
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    child.kill(signal);
  });
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal === 'SIGTERM' ? 143 : 130));
});
