import {
  Command,
  CommanderError,
  InvalidArgumentError as CommanderArgumentError,
  Option,
} from 'commander';
import { isSaError } from '@sa/core';
import { exitCodeOf } from '../admin-error';
import { exitCodes } from '../exit-codes';
import { parseDuration, parseStatuses } from '../job-filter';
import { packageVersion } from '../package-version';
import type { AdminStoreKind } from '../store-selection';
import { adminStoreKinds, defaultDataDirectory } from '../store-selection';
import { cancelCommand } from './cancel-command';
import type { CommandContext } from './context';
import { dashboardCommand } from './dashboard-command';
import { protectDashIds } from './dash-ids';
import { listCommand } from './list-command';
import { pruneCommand } from './prune-command';
import { showCommand } from './show-command';
import { statsCommand } from './stats-command';
import { tailCommand } from './tail-command';
import type { Terminal } from './terminal';
import { processTerminal } from './terminal';

/** Options of `runCli`. */
export interface RunCliOptions {
  terminal?: Terminal;
  /** Stops `tail` and `dashboard` (the bin wires Ctrl-C to it). */
  signal?: AbortSignal;
}

/** A commander argument parser from one of ours (errors become commander's, one clear line). */
function parser<T>(parse: (value: string) => T) {
  return (value: string): T => {
    try {
      return parse(value);
    } catch (error) {
      throw new CommanderArgumentError(error instanceof Error ? error.message : String(error));
    }
  };
}

function integer(name: string, min: number, max: number) {
  return parser((value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || parsed < min || parsed > max)
      throw new Error(
        `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value.slice(0, 40))}`,
      );
    return parsed;
  });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').filter(Boolean)];
}

const statusOption = () =>
  new Option('--status <statuses>', 'only these statuses (comma-separated)').argParser(
    parser((value) => parseStatuses(value)),
  );
const olderOption = (what: string) =>
  new Option(
    '--older-than <duration>',
    `only jobs ${what} at least this long ago (30s, 15m, 2h, 7d)`,
  ).argParser(parser((value) => parseDuration(value, '--older-than')));
const jsonOption = () => new Option('--json', 'print JSON (for scripts) instead of text');

/**
 * Runs `sa-jobs` with `argv` (without node and the script) and resolves with the exit code.
 * Errors are one line on stderr; the code says which kind (see `exitCodes`).
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(
  argv: readonly string[],
  options: RunCliOptions = {},
): Promise<number> {
  const terminal = options.terminal ?? processTerminal();
  const signal = options.signal ?? new AbortController().signal;
  let exitCode: number = exitCodes.ok;
  const program = new Command()
    .name('sa-jobs')
    .description(
      'Look after smart-async jobs in any store: list, show, tail, cancel, prune, stats, and a web dashboard.',
    )
    .version(packageVersion())
    .addOption(
      new Option('--store <store>', 'job store')
        .choices(adminStoreKinds)
        .default('file')
        .env('SA_STORE'),
    )
    .addOption(
      new Option(
        '--data-dir <dir>',
        "the example server's data directory; the file store is <dir>/jobs",
      )
        .default(defaultDataDirectory())
        .env('SA_DATA_DIR'),
    )
    .addOption(
      new Option(
        '--store-url <url>',
        'file store directory (path or file: URL) instead of <data-dir>/jobs; redis:// or postgres:// URL of a server store',
      ).env('SA_STORE_URL'),
    )
    .addOption(
      new Option(
        '--store-prefix <prefix>',
        'redis key prefix (default sa:jobs:) or postgres schema (default sa_jobs)',
      ).env('SA_STORE_PREFIX'),
    )
    .configureOutput({
      writeOut: (text) => terminal.stdout.write(text),
      writeErr: (text) => terminal.stderr.write(text),
      outputError: (text, write) => write(terminal.errorColors.red(text)),
    })
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  sa-jobs list --status running,pending --newer-than 2h
  sa-jobs tail <id>                       follow a job live (Ctrl-C stops following, not the job)
  sa-jobs cancel <id> <id> --wait
  sa-jobs prune --older-than 7d --dry-run
  sa-jobs --store redis --store-url redis://127.0.0.1:6379 stats --json
  sa-jobs dashboard --read-only

Exit codes: 0 ok, 1 failure, 2 bad usage or input, 3 (tail) the job ended but did not complete,
4 job not found, 5 refused (e.g. cancel of a finished job), 6 store unreachable.
Colours only on a terminal, never with NO_COLOR set.`,
    );

  const context = (): CommandContext => {
    const global = program.opts<{
      store: AdminStoreKind;
      dataDir: string;
      storeUrl?: string;
      storePrefix?: string;
    }>();
    return {
      terminal,
      signal,
      selection: {
        store: global.store,
        dataDirectory: global.dataDir,
        storeUrl: global.storeUrl,
        storePrefix: global.storePrefix,
      },
    };
  };
  const run = (action: () => Promise<number>) => async () => {
    exitCode = await action();
  };

  program
    .command('list')
    .description('list jobs, newest first, one page at a time')
    .addOption(statusOption())
    .option('--tool <tool>', 'only jobs of this tool')
    .option('--label <label>', 'only jobs with this label')
    .option('--scope <scope>', 'only jobs of this scope (session or auth subject)')
    .addOption(olderOption('created'))
    .addOption(
      new Option('--newer-than <duration>', 'only jobs created at most this long ago').argParser(
        parser((value) => parseDuration(value, '--newer-than')),
      ),
    )
    .addOption(
      new Option('--limit <n>', 'jobs per page').argParser(integer('--limit', 1, 1000)).default(20),
    )
    .option('--cursor <cursor>', 'the page after this cursor (printed under each page)')
    .option('--all', 'every page, not only the first')
    .addOption(jsonOption())
    .action(function (this: Command) {
      const o = this.opts<{
        status?: string[];
        tool?: string;
        label?: string;
        scope?: string;
        olderThan?: number;
        newerThan?: number;
        limit: number;
        cursor?: string;
        all?: boolean;
        json?: boolean;
      }>();
      return run(() =>
        listCommand(context(), {
          statuses: o.status as never,
          tool: o.tool,
          label: o.label,
          scope: o.scope,
          olderThanMs: o.olderThan,
          newerThanMs: o.newerThan,
          limit: o.limit,
          cursor: o.cursor,
          all: o.all,
          json: o.json,
        }),
      )();
    });

  program
    .command('show')
    .description("a job's input, result or error, progress, times, owner and lease, output sizes")
    .argument('<id>', 'job id')
    .addOption(jsonOption())
    .action((id: string, o: { json?: boolean }) => run(() => showCommand(context(), id, o))());

  program
    .command('tail')
    .description(
      "a job's output so far, then live with a progress bar until it ends (Ctrl-C stops following, not the job)",
    )
    .argument('<id>', 'job id')
    .addOption(new Option('--json', 'JSON lines: {type: output|progress|end}'))
    .action((id: string, o: { json?: boolean }) => run(() => tailCommand(context(), id, o))());

  program
    .command('cancel')
    .description('cancel jobs; a job another process or host runs is stopped by its owner')
    .argument('<ids...>', 'job ids')
    .option('--reason <text>', 'why (stored with the job)')
    .addOption(
      new Option(
        '--wait [seconds]',
        'wait until each job has stopped (default up to 30 s)',
      ).argParser(integer('--wait', 0, 86_400)),
    )
    .addOption(jsonOption())
    .action((ids: string[], o: { reason?: string; wait?: number | true; json?: boolean }) =>
      run(() =>
        cancelCommand(context(), ids, {
          reason: o.reason,
          waitMs: o.wait === undefined ? undefined : o.wait === true ? 30_000 : o.wait * 1000,
          json: o.json,
        }),
      )(),
    );

  program
    .command('prune')
    .description('delete finished jobs (running jobs never); --dry-run lists what would go')
    .addOption(
      new Option(
        '--status <statuses>',
        'only these statuses (default every finished one)',
      ).argParser(parser((value) => parseStatuses(value))),
    )
    .addOption(olderOption('finished'))
    .option('--expired', 'also jobs whose retention time has passed')
    .option('--scope <scope>', 'only jobs of this scope')
    .option('--all', 'with no other filter: every finished job')
    .option('--dry-run', 'list the jobs that would be deleted; delete nothing')
    .addOption(jsonOption())
    .action(
      (o: {
        status?: string[];
        olderThan?: number;
        expired?: boolean;
        scope?: string;
        all?: boolean;
        dryRun?: boolean;
        json?: boolean;
      }) =>
        run(() =>
          pruneCommand(context(), {
            statuses: o.status as never,
            olderThanMs: o.olderThan,
            expired: o.expired,
            scope: o.scope,
            all: o.all,
            dryRun: o.dryRun,
            json: o.json,
          }),
        )(),
    );

  program
    .command('stats')
    .description("counts by status and tool, the oldest running job, the store's size")
    .addOption(jsonOption())
    .action((o: { json?: boolean }) => run(() => statsCommand(context(), o))());

  program
    .command('dashboard')
    .description('serve the live web dashboard (loopback only unless a token is set)')
    .addOption(
      new Option('--host <host>', 'bind address').default('127.0.0.1').env('SA_DASHBOARD_HOST'),
    )
    .addOption(
      new Option('--port <port>', 'port (0: any free one)')
        .argParser(integer('--port', 0, 65_535))
        .default(4100)
        .env('SA_DASHBOARD_PORT'),
    )
    .option('--read-only', 'no cancel and prune')
    .addOption(
      new Option(
        '--token <token>',
        'required on every request (needed to bind beyond loopback)',
      ).env('SA_DASHBOARD_TOKEN'),
    )
    .addOption(
      new Option('--allowed-host <host>', 'extra Host header name accepted (repeatable)').argParser(
        collect,
      ),
    )
    .addOption(
      new Option(
        '--allowed-origin <origin>',
        'extra Origin accepted for actions (repeatable)',
      ).argParser(collect),
    )
    .action(
      (o: {
        host: string;
        port: number;
        readOnly?: boolean;
        token?: string;
        allowedHost?: string[];
        allowedOrigin?: string[];
      }) => run(() => dashboardCommand(context(), o))(),
    );

  try {
    await program.parseAsync(protectDashIds(argv), { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error was printed as one line.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    terminal.stderr.write(`${terminal.errorColors.red('error:')} ${message.split('\n')[0]}\n`);
    if (!isSaError(error) && error instanceof Error && process.env.SA_DEBUG)
      terminal.stderr.write(`${error.stack}\n`);
    return exitCodeOf(error);
  }
}
