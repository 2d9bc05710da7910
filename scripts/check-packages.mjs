// Builds every package, then runs publint and are-the-types-wrong on each publishable one.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: 'inherit' });

run('pnpm', ['build'], root);
const folders = ['packages', 'examples'].flatMap((group) =>
  existsSync(join(root, group))
    ? readdirSync(join(root, group)).map((name) => join(root, group, name))
    : [],
);
for (const folder of folders) {
  const manifestPath = join(folder, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.private) continue;
  console.log(`\n== ${manifest.name}: publint, attw ==`);
  run('pnpm', ['exec', 'publint', '--strict'], folder);
  const attwArgs = ['exec', 'attw', '--pack', '.', '--format', 'table-flipped'];
  if (!manifest.exports?.['.']) attwArgs.push('--entrypoints', '.');
  run('pnpm', attwArgs, folder);
  // What `npx` runs is the built command, not the sources: make sure it starts.
  for (const [name, path] of Object.entries(manifest.bin ?? {})) {
    console.log(`== ${name} --version (built ${path})`);
    run(process.execPath, [join(folder, path), '--version'], folder);
  }
}
