import { defaultServerConditions } from 'vite';

/**
 * Resolve workspace packages to their TypeScript sources (the `@sa/source` export
 * condition), so tests run from a fresh clone without a build.
 */
export const sourceConditions = {
  resolve: { conditions: ['@sa/source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['@sa/source', ...defaultServerConditions] } },
};
