import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared';

export default defineProject({
  ...sourceConditions,
  test: {
    name: '@sa/core',
    include: ['src/**/*.test.ts'],
    setupFiles: ['./test/no-unhandled-rejections.ts'],
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
  },
});
