import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli.ts',
    // The supervisor process (started by the server, see src/supervisor/start-supervisor.ts).
    'supervisor-entry': 'src/supervisor/supervisor-entry.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: ['src/index.ts'] },
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  shims: true,
  banner: ({ format }) => (format === 'esm' ? { js: '#!/usr/bin/env node' } : {}),
});
