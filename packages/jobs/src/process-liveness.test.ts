import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { currentHost, isProcessKnownDead, processStartTime } from './process-liveness';

/** Starts a python3 parent whose forked child exits unreaped: a real zombie. */
async function withZombie(use: (zombiePid: number) => void): Promise<void> {
  const parent = spawn('python3', [
    '-c',
    [
      'import os, sys, time',
      'pid = os.fork()',
      'if pid == 0: os._exit(0)',
      'print(pid, flush=True)',
      'time.sleep(30)',
    ].join('\n'),
  ]);
  try {
    const lines = createInterface({ input: parent.stdout });
    const first = await new Promise<string>((resolve) => lines.once('line', resolve));
    const zombiePid = Number(first);
    // Wait until the kernel shows the child as a zombie.
    for (let attempt = 0; attempt < 200; attempt += 1) {
      if (processStartTime(zombiePid) !== undefined && isProcessKnownDead(zombiePid, currentHost))
        break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    use(zombiePid);
  } finally {
    parent.kill('SIGKILL');
  }
}

describe('isProcessKnownDead', () => {
  it('is false for a live process and for this process', () => {
    expect(isProcessKnownDead(process.pid, currentHost)).toBe(false);
    expect(isProcessKnownDead(process.ppid, currentHost)).toBe(false);
  });

  it('is false for another host and for invalid pids (unknown is not dead)', () => {
    expect(isProcessKnownDead(1, `${currentHost}-elsewhere`)).toBe(false);
    expect(isProcessKnownDead(0, currentHost)).toBe(false);
    expect(isProcessKnownDead(-5, currentHost)).toBe(false);
    expect(isProcessKnownDead(1.5, currentHost)).toBe(false);
  });

  it('is true for a pid no process has', () => {
    expect(isProcessKnownDead(2 ** 22 + 12_345, currentHost)).toBe(true);
  });

  it('is true for a zombie: killed, but not yet reaped by its parent', async () => {
    await withZombie((zombiePid) => {
      expect(processStartTime(zombiePid)).toBeDefined();
      expect(isProcessKnownDead(zombiePid, currentHost)).toBe(true);
    });
  });
});
