// Import the result files of the old manual functional-test run (`chapter_{i}_result.pkl`, decoded by pickle-decode.ts)
// as one run of case records, target `legacy`.

import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { caseId, withCode } from '../records.ts';
import { RECORD_SCHEMA_VERSION, RESULTS_SCHEMA_VERSION, type CaseRecord, type RunResults } from '../types.ts';
import { decodeChapterPickle, PickleImportError, type LegacyCase } from './pickle-decode.ts';

export { PickleImportError, type PickleImportReason } from './pickle-decode.ts';

export const CHAPTER_PICKLE_RE = /^chapter_(\d+)_result\.pkl$/;
/** Fallback for explicitly named files: any `chapter<sep>N` in the name. */
const LOOSE_CHAPTER_RE = /chapter[_-]?(\d+)/i;

/** `recipe.example` -> recipe, example (recipe is the chapter sub-directory: no dots). */
export function splitCaseName(name: string): { recipe: string; example: string } {
  const dot = name.indexOf('.');
  return dot < 0 ? { recipe: name, example: '' } : { recipe: name.slice(0, dot), example: name.slice(dot + 1) };
}

function legacyRecord(chapter: string, c: LegacyCase): CaseRecord {
  const { recipe, example } = splitCaseName(c.name);
  const common = {
    schemaVersion: RECORD_SCHEMA_VERSION,
    chapter,
    recipe,
    example,
    case: c.name,
    target: { name: LEGACY_TARGET },
    msg: c.msg,
    durations: { totalMs: 0 },
    tools: {},
  };
  // the old workflow's BYPASS said no more than its code: a bypassed record without a reason
  return withCode(common, c.code);
}

export const LEGACY_TARGET = 'legacy';

function chapterOf(file: string, strict: boolean): number | undefined {
  const base = path.basename(file);
  const m = CHAPTER_PICKLE_RE.exec(base) ?? (strict ? null : LOOSE_CHAPTER_RE.exec(base));
  return m ? Number(m[1]) : undefined;
}

async function expand(p: string): Promise<{ file: string; chapter: number }[]> {
  let st;
  try {
    st = await stat(p);
  } catch (err) {
    throw new PickleImportError(p, 'io', (err as Error).message);
  }
  if (st.isDirectory()) {
    let names: string[];
    try {
      names = await readdir(p);
    } catch (err) {
      throw new PickleImportError(p, 'io', (err as Error).message);
    }
    const found = names
      .map((n) => ({ file: path.join(p, n), chapter: chapterOf(n, true) }))
      .filter((x): x is { file: string; chapter: number } => x.chapter !== undefined);
    if (found.length === 0) throw new PickleImportError(p, 'no-pickles', 'directory holds no chapter_N_result.pkl');
    return found;
  }
  const chapter = chapterOf(p, false);
  if (chapter === undefined) {
    throw new PickleImportError(p, 'bad-name', 'no chapter number in the file name (expected chapter_N_result.pkl)');
  }
  return [{ file: p, chapter }];
}

/**
 * Read the old run's result pickles. `paths`: files, or directories (every `chapter_N_result.pkl` in them).
 * Records come ordered by chapter number, then in each pickle's own order.
 */
export async function importPickles(paths: string[]): Promise<RunResults> {
  if (paths.length === 0) throw new PickleImportError('(none)', 'io', 'no pickle file or directory given');
  const files = new Map<string, { file: string; chapter: number }>();
  for (const p of paths) {
    for (const f of await expand(p)) files.set(path.resolve(f.file), f);
  }
  const ordered = [...files.values()].sort((a, b) => a.chapter - b.chapter || a.file.localeCompare(b.file));
  const records: CaseRecord[] = [];
  const seen = new Map<string, string>();
  let minMtime = Infinity;
  let maxMtime = -Infinity;
  for (const { file, chapter } of ordered) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
      const mtime = (await stat(file)).mtimeMs;
      minMtime = Math.min(minMtime, mtime);
      maxMtime = Math.max(maxMtime, mtime);
    } catch (err) {
      throw new PickleImportError(file, 'io', (err as Error).message);
    }
    const ch = String(chapter);
    for (const c of decodeChapterPickle(bytes, file)) {
      const record = legacyRecord(ch, c);
      const key = caseId(record);
      const prev = seen.get(key);
      if (prev !== undefined) {
        throw new PickleImportError(
          file,
          'duplicate',
          `case ${JSON.stringify(c.name)} of chapter ${ch} also in ${prev}`,
        );
      }
      seen.set(key, file);
      records.push(record);
    }
  }
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: {
      // The pickles carry no run times: their modification times are the best approximation.
      startedAt: new Date(minMtime).toISOString(),
      endedAt: new Date(maxMtime).toISOString(),
      tools: {},
      targets: [LEGACY_TARGET],
      source: 'pickle',
    },
    records,
  };
}
