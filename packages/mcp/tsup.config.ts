import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per adapter: loading one never loads the other SDK.
  entry: {
    index: 'src/index.ts',
    'sdk-v1': 'src/sdk-v1/index.ts',
    'sdk-v2': 'src/sdk-v2/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
