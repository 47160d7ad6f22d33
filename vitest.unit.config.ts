import { defineConfig } from 'vitest/config';

// The project's own tests (unit + integration). The cookbook suite has its own config: vitest.config.ts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
