import { describe, expect, it } from 'vitest';
import { isAlive } from '../testing/is-alive';
import { runProcess } from './run-process';

const python = 'python3';

// Starts a child in the group and one that leaves it (new session), prints all pids, then sleeps.
const spawnTree = `
import os, subprocess, sys, time
stay = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
escape = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
print("partial output", flush=True)
print("PIDS", os.getpid(), stay.pid, escape.pid, flush=True)
time.sleep(60)
`;

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function pidsOf(output: string): number[] {
  const line = output.split('\n').find((text) => text.startsWith('PIDS '));
  return line ? line.slice(5).split(' ').map(Number) : [];
}

describe('runProcess', () => {
  it('streams both outputs and returns an integer exit code', async () => {
    const received = { stdout: '', stderr: '' };
    const outcome = await runProcess({
      command: python,
      args: ['-c', 'import sys; print("out"); print("err", file=sys.stderr); sys.exit(3)'],
      cwd: process.cwd(),
      env: process.env,
      onOutput: (stream, chunk) => {
        received[stream] += chunk;
      },
    });
    expect(outcome.exitCode).toBe(3);
    expect(received).toEqual({ stdout: 'out\n', stderr: 'err\n' });
  });

  it('reports a death by signal as minus the signal number', async () => {
    const outcome = await runProcess({
      command: python,
      args: ['-c', 'import os, signal; os.kill(os.getpid(), signal.SIGTERM)'],
      cwd: process.cwd(),
      env: process.env,
    });
    expect(outcome.exitCode).toBe(-15);
  });

  it('kills the whole tree on cancel, grandchildren that left the group included', async () => {
    let output = '';
    const controller = new AbortController();
    const running = runProcess({
      command: python,
      args: ['-c', spawnTree],
      cwd: process.cwd(),
      env: process.env,
      signal: controller.signal,
      onOutput: (_stream, chunk) => {
        output += chunk;
      },
    });
    await waitFor(() => pidsOf(output).length === 3);
    const pids = pidsOf(output);
    expect(pids.every(isAlive)).toBe(true);
    controller.abort();
    const outcome = await running;
    expect(outcome.cancelled).toBe(true);
    expect(outcome.exitCode).toBe(-9);
    await waitFor(() => pids.every((pid) => !isAlive(pid)));
  });

  it('kills the tree at the timeout, keeps partial output and appends [TIMEOUT]', async () => {
    let stdout = '';
    let stderr = '';
    const outcome = await runProcess({
      command: python,
      args: ['-c', spawnTree],
      cwd: process.cwd(),
      env: process.env,
      // Long enough for python and its two children to start on a loaded machine; the tree
      // sleeps far longer, so the timeout still ends it.
      timeoutMs: 5000,
      onOutput: (stream, chunk) => {
        if (stream === 'stdout') stdout += chunk;
        else stderr += chunk;
      },
    });
    expect(outcome.timedOut).toBe(true);
    expect(outcome.cancelled).toBe(false);
    expect(Number.isInteger(outcome.exitCode)).toBe(true);
    expect(stdout).toContain('partial output');
    expect(stderr).toContain('[TIMEOUT]');
    const pids = pidsOf(stdout);
    expect(pids).toHaveLength(3);
    await waitFor(() => pids.every((pid) => !isAlive(pid)));
  });

  it('drains 50 MB without blocking and drops what is beyond the limit with a notice', async () => {
    let kept = 0;
    let notice = '';
    const outcome = await runProcess({
      command: python,
      args: [
        '-c',
        'import sys\nblock = "x" * 1023 + "\\n"\nfor _ in range(50 * 1024): sys.stdout.write(block)\nprint("::progress 1/1 done")',
      ],
      cwd: process.cwd(),
      env: process.env,
      maxOutputBytes: 1024 * 1024,
      onOutput: (_stream, chunk) => {
        if (chunk.startsWith('\n[OUTPUT TRUNCATED]')) notice = chunk;
        else kept += Buffer.byteLength(chunk);
      },
      onProgress: (update) => {
        expect(update).toEqual({ progress: 1, total: 1, message: 'done' });
      },
    });
    expect(outcome.exitCode).toBe(0);
    expect(kept).toBe(1024 * 1024);
    const dropped = 50 * 1024 * 1024 + '::progress 1/1 done\n'.length - 1024 * 1024;
    expect(outcome.droppedBytes.stdout).toBe(dropped);
    expect(notice).toContain(
      `${dropped} bytes of stdout were dropped beyond the limit of 1048576 bytes`,
    );
  });

  it('turns ::progress lines from either stream into progress', async () => {
    const updates: unknown[] = [];
    await runProcess({
      command: python,
      args: [
        '-c',
        'import sys\nprint("::progress 1/3 one", flush=True)\nprint("::progress 2/3", file=sys.stderr, flush=True)',
      ],
      cwd: process.cwd(),
      env: process.env,
      onProgress: (update) => updates.push(update),
    });
    expect(updates).toEqual(
      expect.arrayContaining([
        { progress: 1, total: 3, message: 'one' },
        { progress: 2, total: 3 },
      ]),
    );
  });

  it('does not wait for a descendant that escaped with the pipes open after the script exits', async () => {
    const outcome = await runProcess({
      command: python,
      args: [
        '-c',
        'import subprocess, sys\nsubprocess.Popen([sys.executable, "-c", "import time; time.sleep(3)"], start_new_session=True)\nprint("bye")',
      ],
      cwd: process.cwd(),
      env: process.env,
    });
    expect(outcome.exitCode).toBe(0);
  });

  it('rejects at once for an already aborted signal and names a missing command', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      runProcess({
        command: python,
        args: [],
        cwd: '.',
        env: process.env,
        signal: controller.signal,
      }),
    ).rejects.toBe(controller.signal.reason);
    await expect(
      runProcess({ command: '/nonexistent/python', args: [], cwd: '.', env: process.env }),
    ).rejects.toThrow('Cannot start /nonexistent/python');
  });
});
