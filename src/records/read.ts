// Reading a results.json back: refused before it is read when it is too large to be one string,
// then parsed, checked (validate.ts) and upgraded to today's version (upgrade.ts).

import { constants } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import bytes from 'bytes';
import { RESULTS_SCHEMA_VERSION, type CaseRecord, type RunResults } from '../types.ts';
import { upgradeRunResults } from './upgrade.ts';
import { RunResultsLoadError, validateRunResults } from './validate.ts';

export interface ReadResultsOptions {
  /**
   * Largest file read, in bytes. A JSON text is parsed from one string, and Node's strings end at
   * `buffer.constants.MAX_STRING_LENGTH` characters (about 512 MiB): a larger file would be read
   * for seconds and then fail with V8's `Invalid string length`.
   * @default buffer.constants.MAX_STRING_LENGTH
   */
  maxBytes?: number;
}

const formatBytes = (n: number) => bytes.format(n, { unitSeparator: ' ', decimalPlaces: 1 });

export const READ_RESULTS_DEFAULTS = {
  maxBytes: constants.MAX_STRING_LENGTH,
} satisfies ReadResultsOptions;

/** A parsed results.json (any readable version) as today's RunResults; throws RunResultsLoadError. */
export function parseRunResults(text: string, file: string): RunResults {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RunResultsLoadError(file, `not valid JSON: ${(err as Error).message}`);
  }
  return upgradeRunResults(validateRunResults(value, file));
}

/** Reads, checks and upgrades a results.json; throws RunResultsLoadError, also for a file over `maxBytes`. */
export async function readRunResults(file: string, options: ReadResultsOptions = {}): Promise<RunResults> {
  const { maxBytes } = { ...READ_RESULTS_DEFAULTS, ...options };
  let text: string;
  try {
    const { size } = await stat(file);
    if (size > maxBytes) {
      throw new RunResultsLoadError(
        file,
        `too large to read: ${formatBytes(size)} (${size} bytes), over the ${formatBytes(maxBytes)} a results.json is read up to. Compare smaller runs (a chapter or a shard each: COOKBOOK_CHAPTERS, vitest --shard)`,
      );
    }
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof RunResultsLoadError) throw err;
    throw new RunResultsLoadError(file, (err as Error).message);
  }
  return parseRunResults(text, file);
}

/**
 * Case records that did not come from a results.json (a merge replays other machines' shard
 * reports, perhaps of an older version), through the same check and upgrade; throws RunResultsLoadError.
 */
export function checkRecords(records: readonly unknown[], source: string): CaseRecord[] {
  const results = { schemaVersion: RESULTS_SCHEMA_VERSION, run: { targets: [] }, records: [...records] };
  return upgradeRunResults(validateRunResults(results, source)).records;
}
