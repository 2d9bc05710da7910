import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared';

export default defineProject({
  ...sourceConditions,
  test: {
    name: '@sa/admin',
    include: ['src/**/*.test.ts'],
    // The tests start real processes, stores and a real Chromium.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
