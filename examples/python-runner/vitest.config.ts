import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared';

export default defineProject({
  ...sourceConditions,
  test: {
    name: '@sa/python-runner',
    include: ['src/**/*.test.ts'],
    // Upper bounds, never speeds: these tests start real python and server processes, which on
    // a loaded machine (two cores, other suites beside) take many times their idle time.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Stops the supervisors this run started (see src/testing/global-setup.ts).
    globalSetup: ['src/testing/global-setup.ts'],
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
  },
});
