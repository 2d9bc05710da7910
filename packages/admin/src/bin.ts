import { runCli } from './cli/program';

// Ctrl-C stops what the command follows (tail, dashboard); a second Ctrl-C exits at once.
const controller = new AbortController();
process.once('SIGINT', () => {
  controller.abort();
  process.once('SIGINT', () => process.exit(130));
});
process.once('SIGTERM', () => controller.abort());

// The stores' timers and watchers are unref'd (they never hold a server open): this one keeps
// the command alive while it waits on them, e.g. `cancel --wait`.
const keepAlive = setInterval(() => undefined, 2 ** 30);

runCli(process.argv.slice(2), { signal: controller.signal })
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  )
  .finally(() => clearInterval(keepAlive));
