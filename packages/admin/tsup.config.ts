import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library (dashboard handler, store selection): ESM and CommonJS with types.
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    shims: true,
  },
  {
    // The `sa-jobs` command: ESM only (a command is run, never imported).
    entry: ['src/bin.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
