// Loading a run to compare: a results.json (validated), a report directory, or legacy pickles.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { codeNameOf } from '../records.ts';
import { READABLE_RESULTS_SCHEMA_VERSIONS, type CaseRecord, type RunResults } from '../types.ts';
import { CHAPTER_PICKLE_RE, importPickles, PickleImportError } from './pickle.ts';

export class RunResultsLoadError extends Error {
  override readonly name = 'RunResultsLoadError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the shape a comparison or report relies on; throws RunResultsLoadError with the first problem. */
function validateRunResults(value: unknown, file: string): RunResults {
  if (!isObject(value)) throw new RunResultsLoadError(file, 'not a results.json: top level is not an object');
  if (!('schemaVersion' in value)) throw new RunResultsLoadError(file, 'not a results.json: no schemaVersion');
  if (typeof value.schemaVersion !== 'number' || !READABLE_RESULTS_SCHEMA_VERSIONS.includes(value.schemaVersion)) {
    throw new RunResultsLoadError(
      file,
      `results schemaVersion ${JSON.stringify(value.schemaVersion)} is not supported (this version reads ${READABLE_RESULTS_SCHEMA_VERSIONS.join(' and ')})`,
    );
  }
  if (!isObject(value.run)) throw new RunResultsLoadError(file, 'results.json has no "run" object');
  if (!Array.isArray(value.records)) throw new RunResultsLoadError(file, 'results.json has no "records" array');
  const records = value.records as unknown[];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const bad = (what: string) => new RunResultsLoadError(file, `record ${i}: ${what}`);
    if (!isObject(r)) throw bad('not an object');
    if (typeof r.case !== 'string') throw bad('"case" is not a string');
    if (typeof r.chapter !== 'string') throw bad('"chapter" is not a string');
    if (typeof r.target !== 'string') throw bad('"target" is not a string');
    if (r.code === null && isObject(r.harnessError)) continue; // a harness error: no code on purpose
    if (typeof r.code !== 'number' || codeNameOf(r.code) === undefined) {
      throw bad(`"code" ${JSON.stringify(r.code)} is not a CaseErrorCode`);
    }
  }
  const run = value.run;
  if (!Array.isArray(run.targets)) run.targets = [...new Set(records.map((r) => (r as CaseRecord).target))];
  return value as unknown as RunResults;
}

async function loadJson(file: string): Promise<RunResults> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RunResultsLoadError(file, (err as Error).message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RunResultsLoadError(file, `not valid JSON: ${(err as Error).message}`);
  }
  return validateRunResults(value, file);
}

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
export async function loadRunResults(pathOrDir: string): Promise<RunResults> {
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
