import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventually, packageDirectory } from '../testing/stdio-server';

/** Starts `pnpm demo`'s command (demo/index.ts) and collects what it prints. */
function startDemo(args: string[]) {
  const child = spawn(
    process.execPath,
    ['--conditions=@sa/source', '--import', 'tsx', 'demo/index.ts', ...args],
    { cwd: packageDirectory, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const folder = async () => eventually(() => /Working in (\S+);/.exec(output)?.[1], 60_000);
  return { child, output: () => output, exited, folder };
}

describe('the demo', { timeout: 180_000 }, () => {
  it('is right when every call moves to the background, and removes its folder', async () => {
    const demo = startDemo(['--inline-timeout', '0']);
    const folder = await demo.folder();
    const code = await demo.exited;
    expect(demo.output()).toContain('so the call returned job');
    expect(demo.output()).toContain('result stdout ends with: "all done"');
    expect(demo.output()).toMatch(/job now cancelled; processes alive: false, false/);
    expect(demo.output()).toContain('Demo finished');
    expect(code).toBe(0);
    expect(existsSync(folder)).toBe(false);
  });

  it('stops its server and removes its folder on SIGINT', async () => {
    const demo = startDemo([]);
    const folder = await demo.folder();
    await eventually(() => demo.output().includes('handle: status='), 120_000);
    expect(existsSync(folder)).toBe(true);
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(130);
    expect(demo.output()).toContain('SIGINT: stopping the server');
    expect(existsSync(folder)).toBe(false);
  });
});
