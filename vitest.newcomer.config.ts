import { defineConfig } from 'vitest/config';

// The newcomer's first run (`npm run test:newcomer`): apart from `npm test` because it removes and
// reinstalls Debian packages, and because it must start before anything set the toolchain up.
export default defineConfig({
  test: {
    include: ['test/e2e/newcomer.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 45 * 60_000,
    pool: 'forks',
  },
});
