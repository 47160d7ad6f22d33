import { configDefaults, defineConfig } from 'vitest/config';

// The project's own tests (unit + integration + e2e). The cookbook suite has its own config:
// vitest.config.ts; the newcomer's first run its own: vitest.newcomer.config.ts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/e2e/newcomer.test.ts'],
    // on a fresh machine: the tools the tests need, set up as the main command sets up its own
    globalSetup: ['test/setup/tools.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
