// Loading a run to compare: a results.json (checked and upgraded by records/read.ts), a report directory, or legacy pickles.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readRunResults, type ReadResultsOptions } from '../records/read.ts';
import { RunResultsLoadError } from '../records/validate.ts';
import type { RunResults } from '../types.ts';
import { CHAPTER_PICKLE_RE, importPickles, PickleImportError } from './pickle.ts';

export { RunResultsLoadError } from '../records/validate.ts';

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Load a run from a results.json, a report directory holding results.json, a legacy pickle file or a
 * directory of `chapter_N_result.pkl`. Throws RunResultsLoadError or PickleImportError.
 */
export async function loadRunResults(pathOrDir: string, options: ReadResultsOptions = {}): Promise<RunResults> {
  const loadJson = (file: string) => readRunResults(file, options);
  let st;
  try {
    st = await stat(pathOrDir);
  } catch (err) {
    throw new RunResultsLoadError(pathOrDir, (err as Error).message);
  }
  if (st.isDirectory()) {
    const json = path.join(pathOrDir, 'results.json');
    if (await exists(json)) return loadJson(json);
    try {
      return await importPickles([pathOrDir]);
    } catch (err) {
      if (err instanceof PickleImportError && err.reason === 'no-pickles') {
        throw new RunResultsLoadError(pathOrDir, 'directory holds neither results.json nor chapter_N_result.pkl');
      }
      throw err;
    }
  }
  const ext = path.extname(pathOrDir).toLowerCase();
  if (ext === '.json') return loadJson(pathOrDir);
  if (ext === '.pkl' || ext === '.pickle' || CHAPTER_PICKLE_RE.test(path.basename(pathOrDir)))
    return importPickles([pathOrDir]);
  // Unknown extension: sniff. A pickle of protocol 2+ starts with 0x80; JSON with `{` (after blanks).
  const head = (await readFile(pathOrDir)).subarray(0, 64);
  const firstNonBlank = [...head].find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (firstNonBlank === 0x7b) return loadJson(pathOrDir);
  return importPickles([pathOrDir]);
}
