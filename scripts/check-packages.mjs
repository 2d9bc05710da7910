// Checks every publishable package as it will be published: builds the workspace, packs each
// package with pnpm (what `changeset publish` runs), unpacks the tarball and checks the
// unpacked files (see scripts/package-checks.mjs), then runs publint and are-the-types-wrong
// on that same tarball, and starts each built command.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkUnpackedPackage, pendingReleases } from './package-checks.mjs';

const root = new URL('..', import.meta.url).pathname;
const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: 'inherit' });
const capture = (command, args, cwd) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

if (!process.argv.includes('--no-build')) run('pnpm', ['build'], root);
const folders = ['packages', 'examples'].flatMap((group) =>
  existsSync(join(root, group))
    ? readdirSync(join(root, group)).map((name) => join(root, group, name))
    : [],
);
const releases = pendingReleases(root);
const work = mkdtempSync(join(tmpdir(), 'sa-check-packages-'));
const failures = [];
try {
  for (const folder of folders) {
    const manifestPath = join(folder, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private) continue;
    console.log(`\n== ${manifest.name}: pack, unpack, resolve every export ==`);
    const packDirectory = join(work, manifest.name.replace('/', '+'));
    mkdirSync(packDirectory, { recursive: true });
    capture('pnpm', ['pack', '--pack-destination', packDirectory], folder);
    const tarball = readdirSync(packDirectory).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`${manifest.name}: pnpm pack wrote no tarball`);
    const tarballPath = join(packDirectory, tarball);
    // Unpacked where a consumer has it, so Node and TypeScript resolve it by its name.
    const consumer = join(packDirectory, 'consumer');
    const unpacked = join(consumer, 'node_modules', ...manifest.name.split('/'));
    mkdirSync(unpacked, { recursive: true });
    run('tar', ['-xzf', tarballPath, '-C', unpacked, '--strip-components=1'], folder);
    const { problems, followed } = checkUnpackedPackage({
      folder,
      manifest,
      consumer,
      unpacked,
      willWriteChangelog: releases.has(manifest.name),
    });
    for (const problem of problems) console.error(`  ✗ ${problem}`);
    if (problems.length > 0) failures.push(`${manifest.name}: ${problems.length} problem(s)`);
    else
      console.log(
        `  ✓ files, leftovers, exports (import, require, types, @sa/source), bin; ${followed} files' imports followed`,
      );

    console.log(`== ${manifest.name}: publint, attw (on the tarball) ==`);
    run('pnpm', ['exec', 'publint', 'run', tarballPath, '--strict'], folder);
    const attwArgs = ['exec', 'attw', tarballPath, '--format', 'table-flipped'];
    if (!manifest.exports?.['.']) attwArgs.push('--entrypoints', '.');
    run('pnpm', attwArgs, folder);
    // What `npx` runs is the built command, not the sources: make sure it starts.
    for (const [name, path] of Object.entries(manifest.bin ?? {})) {
      console.log(`== ${name} --version (built ${path})`);
      run(process.execPath, [join(folder, path), '--version'], folder);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`\ncheck-packages failed:\n${failures.map((line) => `  ${line}`).join('\n')}`);
  process.exit(1);
}
