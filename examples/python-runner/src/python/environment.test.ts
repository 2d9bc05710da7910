import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEnvironment } from './environment';

describe('buildEnvironment', () => {
  it('overlays the server environment with env_file, then env_vars', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sa-env-'));
    const envFile = join(directory, '.env');
    await writeFile(
      envFile,
      '# comment\nexport FROM_FILE="quoted value"\nSHARED=file\n\nSINGLE=\'x y\'\n',
    );
    const env = await buildEnvironment({
      base: { BASE: 'base', SHARED: 'base' },
      envFile,
      envVars: { SHARED: 'vars', EXTRA: '1' },
    });
    expect(env).toEqual({
      BASE: 'base',
      FROM_FILE: 'quoted value',
      SINGLE: 'x y',
      SHARED: 'vars',
      EXTRA: '1',
    });
  });

  it('refuses a missing env_file, naming it', async () => {
    await expect(buildEnvironment({ envFile: '/nonexistent/.env' })).rejects.toThrow(
      /env_file "\/nonexistent\/\.env" cannot be read: no such file/,
    );
  });

  it.each(['1ABC', 'A-B', 'A B', '', 'Ä'])('refuses the variable name %j', async (name) => {
    await expect(buildEnvironment({ base: {}, envVars: { [name]: 'x' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('not a valid environment variable name') as unknown,
    });
  });
});
