// Helpers over case records, shared by every stage and report: the one case id (see caseKey), code names and
// counts, which codes are failures, chapter order, the targets of a run. Lenient on purpose:
// records may come from imported pickles or hand-made JSON with missing or odd fields.

import {
  CASE_ERROR_NAMES,
  CaseErrorCode,
  HARNESS_ERROR,
  type CapturedText,
  type CaseErrorName,
  type CaseRecord,
  type OutcomeName,
  type RanCode,
  type RanRecord,
  type HarnessErrorRecord,
  type RunResults,
} from './types.ts';

export type CodeCounts = Record<CaseErrorName, number>;

/** The name of a code; undefined for anything that is none of the eight. */
export function codeNameOf(code: unknown): CaseErrorName | undefined {
  return CASE_ERROR_NAMES.find((n) => CaseErrorCode[n] === code);
}

/** The name of a code; throws on a number that is none of the eight. */
export function codeName(code: RanCode): RanRecord['codeName'];
export function codeName(code: CaseErrorCode): CaseErrorName;
export function codeName(code: CaseErrorCode): CaseErrorName {
  const name = codeNameOf(code);
  if (!name) throw new RangeError(`unknown CaseErrorCode ${String(code)}`);
  return name;
}

/**
 * A record's fields given a code, with no run behind it (an imported pickle's case, a made-up run):
 * BYPASS makes it a bypassed record, any other code one that ran.
 */
export function withCode<T extends object>(fields: T, code: CaseErrorCode) {
  return code === CaseErrorCode.BYPASS
    ? { ...fields, code, codeName: 'BYPASS' as const }
    : { ...fields, code, codeName: codeName(code) };
}

/**
 * Whether the harness could not run the record's case. A record has no code exactly when it has a
 * `harnessError`: the type (HarnessErrorRecord) says so for the records made here, and the reader
 * checks it once for those read back (records/validate.ts), so the code alone tells.
 */
export function isHarnessError(record: CaseRecord): record is HarnessErrorRecord {
  return record.code === null;
}

/** Whether the record's case ran: neither a harness error nor bypassed. */
export function hasRun(record: CaseRecord): record is RanRecord {
  return record.code !== null && record.code !== CaseErrorCode.BYPASS;
}

/** A code's name, or HARNESS_ERROR for a record the harness could not run. */
export function outcomeName(record: Pick<CaseRecord, 'code'>): OutcomeName {
  return record.code === null ? HARNESS_ERROR : codeName(record.code);
}

/** Every outcome a record can have: the eight codes, then HARNESS_ERROR. */
export const OUTCOME_NAMES: readonly OutcomeName[] = [...CASE_ERROR_NAMES, HARNESS_ERROR];

/** An undecodable byte in exact text: U+DC80..U+DCFF stand for the bytes 0x80..0xff. */
const UNDECODABLE_RE = /[\udc80-\udcff]/gu; // `u`: the low half of a valid pair (💀 is \ud83d\udc80) is no byte

/** Exact text (undecodable bytes as lone surrogates) shown as people read it: each such byte as `\xNN`. */
export function displayText(exact: string): string {
  return exact.replace(UNDECODABLE_RE, (c) => `\\x${(c.charCodeAt(0) - 0xdc00).toString(16).padStart(2, '0')}`);
}

/** C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and isolates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_RE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a case (its output, messages, names) as it may be printed to a terminal, Markdown or
 * HTML: a program's escape sequences would set the window title, clear the screen or fill the
 * clipboard there, so each control character is shown escaped (`\x1b]0;TITLE\x07`), as Python's
 * repr does; tab and newline are kept.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROL_RE, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\r') return '\\r';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** What outputs are compared on: the exact text when the stream had undecodable bytes, else the text. */
export function exactText(captured: Pick<CapturedText, 'text' | 'exact'>): string {
  return captured.exact ?? captured.text;
}

/** A CapturedText's text fields from exact text: `text` for display, `exact` only when they differ. */
export function textFields(exact: string): Pick<CapturedText, 'text' | 'exact'> {
  const text = displayText(exact);
  return text === exact ? { text } : { text, exact };
}

export function emptyCounts(): CodeCounts {
  return Object.fromEntries(CASE_ERROR_NAMES.map((n) => [n, 0])) as CodeCounts;
}

/** Records per code; records with an unknown code are not counted. */
export function countCodes(records: readonly Pick<CaseRecord, 'code'>[]): CodeCounts {
  const counts = emptyCounts();
  for (const r of records) {
    const name = codeNameOf(r.code);
    if (name) counts[name]++;
  }
  return counts;
}

/** Every code but OK and BYPASS (an unknown code too: it did not pass). */
export function isFailure(code: unknown): boolean {
  return code !== CaseErrorCode.OK && code !== CaseErrorCode.BYPASS;
}

/**
 * A case's name inside its chapter that no other case of the chapter has: `recipe.example`, the name
 * the old manual workflow used, when the recipe folder's name has no dot (it then splits one way only);
 * else the case's path in the chapter, `recipe/example.py`, since `a.b/c.py` and `a/b.c.py` are
 * both `a.b.c`. A whole recipe (example `*`, one that cannot be read) is `recipe/*` then.
 */
export function caseKey(recipe: string, example: string): string {
  if (!recipe.includes('.')) return `${recipe}.${example}`;
  return `${recipe}/${example === '*' ? '*' : `${example}.py`}`;
}

/** `<chapter>/<case key>`: the one key of a case across records, stacks, runs and watch mode. */
export function caseIdOf(chapter: string | number | null | undefined, key: string): string {
  return chapter !== undefined && chapter !== null && chapter !== '' ? `${String(chapter)}/${key}` : key;
}

/**
 * The case id of a record (or of anything carrying chapter, recipe, example and case name). A
 * record without a recipe and example (an imported pickle holds `recipe.example` only) is read as
 * the old manual workflow named it: the recipe up to the first dot (its cookbook's recipes had none).
 */
export function caseId(record: Partial<Pick<CaseRecord, 'chapter' | 'case' | 'recipe' | 'example'>>): string {
  const { recipe, example } = record;
  if (typeof recipe === 'string' && recipe.includes('.') && typeof example === 'string' && example)
    return caseIdOf(record.chapter, caseKey(recipe, example));
  const name =
    typeof record.case === 'string' && record.case
      ? record.case
      : [record.recipe, record.example].filter(Boolean).join('.') || '?';
  return caseIdOf(record.chapter, name);
}

const chapterCollator = new Intl.Collator('en', { numeric: true });

/** Chapter order: numeric where the names are numbers (`2` before `10`). */
export function compareChapters(a: string, b: string): number {
  return chapterCollator.compare(a, b);
}

/** Case-id order: by chapter numerically, then by name. */
export const compareCaseIds = compareChapters;

export interface RunTargetsOptions {
  /** Keep declared targets that have no record (default false). */
  withoutRecords?: boolean;
}

/** The targets of a run: the declared ones first (in their order), then any only seen in records. */
export function runTargets(results: Pick<RunResults, 'run' | 'records'>, opts: RunTargetsOptions = {}): string[] {
  const records = Array.isArray(results.records) ? results.records : [];
  const seen = new Set(records.filter((r) => typeof r?.target?.name === 'string').map((r) => r.target.name));
  const declared = (Array.isArray(results.run?.targets) ? results.run.targets : []).filter(
    (t) => typeof t === 'string' && (opts.withoutRecords || seen.has(t)),
  );
  return [...new Set([...declared, ...seen])];
}
