// The main job: the python-runner example's demo once it exists, else the @sa/core demo.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const candidates = ['examples/python-runner', 'packages/core'];
for (const folder of candidates) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  if (!manifest.scripts?.demo) continue;
  execFileSync('pnpm', ['run', 'demo'], { cwd: join(root, folder), stdio: 'inherit' });
  process.exit(0);
}
console.error('No demo found.');
process.exit(1);
