// Runs every package's benchmark (its `bench` script) in dependency order, in one run.
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const order = [
  'packages/core',
  'packages/jobs',
  'packages/mcp',
  'packages/admin',
  'examples/python-runner',
];
const only = process.argv.slice(2);
for (const folder of order) {
  const manifestPath = join(root, folder, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (!manifest.scripts?.bench) continue;
  if (only.length > 0 && !only.some((name) => manifest.name.includes(name))) continue;
  console.log(`\n######## ${manifest.name} ########`);
  execFileSync('pnpm', ['run', 'bench'], { cwd: join(root, folder), stdio: 'inherit' });
}
