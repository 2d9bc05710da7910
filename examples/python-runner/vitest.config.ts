import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared';

export default defineProject({
  ...sourceConditions,
  test: {
    name: '@sa/python-runner',
    include: ['src/**/*.test.ts'],
    // Stops the supervisors this run started (see src/testing/global-setup.ts).
    globalSetup: ['src/testing/global-setup.ts'],
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
  },
});
