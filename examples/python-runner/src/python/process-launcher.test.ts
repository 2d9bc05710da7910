import { existsSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAlive } from '../testing/is-alive';
import { createProcessLauncher } from './process-launcher';
import type { ProcessLauncher } from './process-launcher';

const launchers: ProcessLauncher[] = [];

function newLauncher(): ProcessLauncher {
  const launcher = createProcessLauncher();
  launchers.push(launcher);
  return launcher;
}

afterEach(() => {
  for (const launcher of launchers.splice(0)) launcher.close();
});

// Real python3 children: twenty starting at once take well under a second alone, several
// seconds on two cores shared with the rest of the suite.
describe('createProcessLauncher', { timeout: 30_000 }, () => {
  it('starts children from another process, in their own group, with their output and exit code', async () => {
    const launcher = newLauncher();
    const child = await launcher.launch({
      command: 'python3',
      args: [
        '-c',
        'import os, sys; print(os.getppid(), os.getpgid(0)); print("err", file=sys.stderr); os.write(3, b"side"); sys.exit(5)',
      ],
      cwd: process.cwd(),
      env: process.env,
      channel: true,
    });
    const [stdout, stderr, channel, exit] = await Promise.all([
      text(child.stdout),
      text(child.stderr),
      child.channel ? text(child.channel) : Promise.resolve(''),
      child.exit,
    ]);
    const [parent, group] = stdout.trim().split(' ').map(Number);
    // The parent is the launcher, not this process: this process never forked.
    expect(parent).not.toBe(process.pid);
    expect(group).toBe(child.pid);
    expect(stderr).toBe('err\n');
    expect(channel).toBe('side');
    expect(exit).toEqual({ code: 5, signal: null });
  });

  it('runs many children at once and keeps each output apart', async () => {
    const launcher = newLauncher();
    const outputs = await Promise.all(
      Array.from({ length: 20 }, async (_, index) => {
        const child = await launcher.launch({
          command: 'python3',
          args: ['-c', `print("job ${index} " * 1000)`],
          cwd: process.cwd(),
          env: process.env,
        });
        const [stdout] = await Promise.all([text(child.stdout), text(child.stderr), child.exit]);
        return stdout;
      }),
    );
    outputs.forEach((stdout, index) => expect(stdout).toBe(`${`job ${index} `.repeat(1000)}\n`));
  });

  it('lowers the CPU priority of the child and of its session by `nice`', async () => {
    const launcher = newLauncher();
    const child = await launcher.launch({
      command: 'python3',
      args: [
        '-c',
        'import os; print(os.nice(0)); print(open("/proc/self/autogroup").read() if os.path.exists("/proc/self/autogroup") else "none")',
      ],
      cwd: process.cwd(),
      env: process.env,
      nice: 7,
    });
    const [stdout] = await Promise.all([text(child.stdout), text(child.stderr), child.exit]);
    const [niceLine, groupLine] = stdout.trim().split('\n');
    expect(Number(niceLine)).toBe(Math.min(19, getPriority() + 7));
    if (!existsSync('/proc/self/autogroup')) {
      expect(groupLine).toBe('none');
      return;
    }
    // The default group (a process that never began a session of its own) reads as empty.
    const ownGroupNice = Number(
      /nice (-?\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'))?.[1] ?? 0,
    );
    expect(groupLine).toMatch(new RegExp(`nice ${Math.min(19, ownGroupNice + 7)}$`));
  });

  it.each([[-1], [20], [1.5]])('rejects nice %s with an error naming nice', async (nice) => {
    const launcher = newLauncher();
    await expect(
      launcher.launch({ command: 'python3', args: [], cwd: process.cwd(), env: {}, nice }),
    ).rejects.toThrow(/^nice must be an integer from 0 to 19/);
  });

  it('rejects with a clear error for a missing command or directory', async () => {
    const launcher = newLauncher();
    await expect(
      launcher.launch({ command: 'no-such-command-sa', args: [], cwd: process.cwd(), env: {} }),
    ).rejects.toThrow(/Cannot start no-such-command-sa: .*ENOENT/);
    await expect(
      launcher.launch({ command: 'python3', args: [], cwd: '/no/such/directory', env: {} }),
    ).rejects.toThrow(/Cannot start python3/);
  });

  it('kills the children and ends their runs when the launcher process dies', async () => {
    const launcher = newLauncher();
    const child = await launcher.launch({
      command: 'python3',
      args: ['-c', 'import os, time; print(os.getppid(), flush=True); time.sleep(60)'],
      cwd: process.cwd(),
      env: process.env,
    });
    const launcherPid = await new Promise<number>((resolve) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    });
    child.stderr.resume();
    process.kill(launcherPid, 'SIGKILL');
    expect(await child.exit).toEqual({ code: null, signal: 'SIGKILL' });
    await vi.waitFor(() => expect(isAlive(child.pid)).toBe(false));
    // The next launch starts a new launcher.
    const next = await launcher.launch({
      command: 'python3',
      args: ['-c', 'print("again")'],
      cwd: process.cwd(),
      env: process.env,
    });
    next.stderr.resume();
    expect(await text(next.stdout)).toBe('again\n');
  });
});
