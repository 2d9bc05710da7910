// Runs every bench/*.bench-suite.ts of @sa/jobs in one process: memory, file, redis, postgres
// first (in that order), then any other suite by name. Each suite exports `run()`.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const folder = dirname(fileURLToPath(import.meta.url));
const preferred = ['memory', 'file', 'redis', 'postgres'];
const only = process.argv.slice(2);
const suites = readdirSync(folder)
  .filter((name) => name.endsWith('.bench-suite.ts'))
  .map((name) => name.slice(0, -'.bench-suite.ts'.length))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort((first, second) => {
    const rank = (name: string): number => {
      const index = preferred.indexOf(name);
      return index === -1 ? preferred.length : index;
    };
    return rank(first) - rank(second) || first.localeCompare(second);
  });

for (const name of suites) {
  console.log(`\n=== @sa/jobs bench: ${name} ===`);
  const suite = (await import(pathToFileURL(join(folder, `${name}.bench-suite.ts`)).href)) as {
    run(): Promise<void>;
  };
  await suite.run();
}
