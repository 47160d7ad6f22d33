import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vitest/config';
import { resolveOptions, type CookbookOptions, type ResolvedOptions } from '../config/options.ts';
import './provided.ts';

const GLOBAL_SETUP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'global-setup.ts');

/** Typed options helper for vitest.config.ts. */
export function defineCookbookOptions(options: CookbookOptions): CookbookOptions {
  return options;
}

/**
 * The vitest plugin: resolves options (config + env), hands them to the test workers, and runs
 * the doctor (and toolchain setup when needed) once before the cases.
 */
export function py2wasmCookbook(options: CookbookOptions = {}): Plugin & { resolved: ResolvedOptions } {
  const resolved = resolveOptions(options);
  return {
    name: 'vitest-py2wasm',
    resolved,
    config() {
      return {
        test: {
          provide: { py2wasmOptions: resolved },
          globalSetup: [GLOBAL_SETUP],
        },
      };
    },
  } as Plugin & { resolved: ResolvedOptions };
}
