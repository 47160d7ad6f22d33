import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPickles, PickleImportError, splitCaseName } from '../../src/history/pickle.ts';
import { CaseErrorCode, RECORD_SCHEMA_VERSION, RESULTS_SCHEMA_VERSION } from '../../src/types.ts';
import { NOTEBOOK_CLASSES_PY } from '../helpers/notebook-classes.ts';

// Pickles are written by the real CPython pickle module, with the notebook's exact class definitions
// living in `__main__` (as in a Jupyter kernel).
const WRITER = String.raw`
import json, pickle, sys
${NOTEBOOK_CLASSES_PY}

class Other:
    def __init__(self):
        self.x = 1

spec = json.load(sys.stdin)
if spec.get("module"):
    # as if the notebook classes had been imported from another module
    sys.modules[spec["module"]] = sys.modules["__main__"]
    CaseErrorCode.__module__ = spec["module"]
    CaseResult.__module__ = spec["module"]
for f in spec["files"]:
    kind = f.get("kind", "results")
    if kind == "results":
        obj = {name: CaseResult(CaseErrorCode(code), msg) for name, code, msg in f["cases"]}
    elif kind == "raw-int-code":
        obj = {name: CaseResult(code, msg) for name, code, msg in f["cases"]}
    elif kind == "dict-of-str":
        obj = {"a.b": "OK"}
    elif kind == "list":
        obj = [1, 2, 3]
    elif kind == "other-class":
        obj = {"a.b": Other()}
    with open(f["path"], "wb") as out:
        pickle.dump(obj, out, protocol=f.get("protocol", 4))
`;

interface PyFile {
  path: string;
  protocol?: number;
  kind?: 'results' | 'raw-int-code' | 'dict-of-str' | 'list' | 'other-class';
  cases?: [string, number, string][];
}

function writePickles(dir: string, files: PyFile[], module?: string): void {
  const script = path.join(dir, 'writer.py');
  writeFileSync(script, WRITER);
  execFileSync('python3', [script], {
    input: JSON.stringify({ files: files.map((f) => ({ ...f, path: path.join(dir, f.path) })), module }),
  });
}

const CASES_1: [string, number, string][] = [
  ['copying_a_file.example', CaseErrorCode.OK, ''],
  [
    'logging_test_output_to_a_file.test',
    CaseErrorCode.WASM_EXECUTION_FAILURE,
    'Exception: indirect call type mismatch\n',
  ],
  [
    'launching_a_thread.example1',
    CaseErrorCode.WASM_EXECUTION_FAILURE,
    'Traceback (most recent call last):\n  File "x.py", line 3, in <module>\nRuntimeError: can\'t start new thread\n',
  ],
  ['unicode_out.example', CaseErrorCode.DIFFERENT_RESULT, 'ünïcødé ✓ <script>alert(1)</script>\n'],
  ['big.example', CaseErrorCode.PY_EXECUTION_TIMEOUT, 'x'.repeat(70_000)],
  ['escapes.example', CaseErrorCode.DIFFERENT_RESULT, 'C:\\dir\\u0041 \r\0 tab\t é€😀 \x1a end'],
];
const CASES_12: [string, number, string][] = [
  ['threads.example', CaseErrorCode.COMPILATION_FAILURE, 'wasm-ld: error: unable to find library -lmpdec'],
  ['skipped.example', CaseErrorCode.BYPASS, 'needs network'],
  ['timeout.example', CaseErrorCode.WASM_EXECUTION_TIMEOUT, ''],
  ['py_fail.example', CaseErrorCode.PY_EXECUTION_FAILURE, 'SyntaxError'],
];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'py2wasm-pickle-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('importPickles on real CPython pickles', () => {
  for (const protocol of [2, 4, 5, 0]) {
    it(`reads a directory of protocol ${protocol} chapter pickles`, async () => {
      const dir = path.join(tmp, `proto${protocol}`);
      execFileSync('mkdir', ['-p', dir]);
      writePickles(dir, [
        // chapter 12 listed first and 2 after it: the order must come from the chapter number
        { path: 'chapter_12_result.pkl', protocol, cases: CASES_12 },
        { path: 'chapter_2_result.pkl', protocol, cases: CASES_1 },
      ]);
      writeFileSync(path.join(dir, 'notes.txt'), 'not a pickle, not picked up');
      const run = await importPickles([dir]);
      expect(run.schemaVersion).toBe(RESULTS_SCHEMA_VERSION);
      expect(run.run.source).toBe('pickle');
      expect(run.run.targets).toEqual(['legacy']);
      expect(run.records).toHaveLength(CASES_1.length + CASES_12.length);
      expect(run.records.map((r) => r.chapter)).toEqual([...CASES_1.map(() => '2'), ...CASES_12.map(() => '12')]);
      // pickle (dict insertion) order is kept within a chapter
      expect(run.records.slice(0, CASES_1.length).map((r) => r.case)).toEqual(CASES_1.map((c) => c[0]));
      const thread = run.records.find((r) => r.case === 'launching_a_thread.example1')!;
      expect(thread).toEqual({
        schemaVersion: RECORD_SCHEMA_VERSION,
        chapter: '2',
        recipe: 'launching_a_thread',
        example: 'example1',
        case: 'launching_a_thread.example1',
        target: { name: 'legacy' },
        code: 2,
        codeName: 'WASM_EXECUTION_FAILURE',
        msg: CASES_1[2]![2],
        durations: { totalMs: 0 },
        tools: {},
      });
      const byCase = new Map(run.records.map((r) => [r.case, r]));
      for (const [name, code, msg] of [...CASES_1, ...CASES_12]) {
        expect(byCase.get(name)?.code).toBe(code);
        expect(byCase.get(name)?.msg).toBe(msg);
      }
      expect(byCase.get('skipped.example')?.codeName).toBe('BYPASS');
      expect(byCase.get('big.example')?.msg).toHaveLength(70_000);
    });
  }

  it('accepts the notebook classes from any module, and explicit files', async () => {
    const dir = path.join(tmp, 'othermod');
    execFileSync('mkdir', ['-p', dir]);
    writePickles(dir, [{ path: 'chapter_7_result.pkl', protocol: 5, cases: CASES_12 }], 'capability');
    expect(readFileSync(path.join(dir, 'chapter_7_result.pkl')).includes(Buffer.from('capability'))).toBe(true);
    const run = await importPickles([path.join(dir, 'chapter_7_result.pkl')]);
    expect(run.records.map((r) => [r.chapter, r.case, r.code])).toEqual(CASES_12.map(([n, c]) => ['7', n, c]));
  });

  it('accepts an empty chapter and merges files and dirs without duplicating', async () => {
    const dir = path.join(tmp, 'merge');
    execFileSync('mkdir', ['-p', dir]);
    writePickles(dir, [
      { path: 'chapter_1_result.pkl', cases: [] },
      { path: 'chapter_3_result.pkl', cases: CASES_12 },
    ]);
    const run = await importPickles([dir, path.join(dir, 'chapter_3_result.pkl')]);
    expect(run.records).toHaveLength(CASES_12.length);
  });
});

describe('importPickles errors', () => {
  let good: Buffer;
  let dir: string;
  beforeAll(() => {
    dir = path.join(tmp, 'bad');
    execFileSync('mkdir', ['-p', dir]);
    writePickles(dir, [
      { path: 'chapter_1_result.pkl', protocol: 2, cases: CASES_1 },
      { path: 'chapter_20_result.pkl', kind: 'dict-of-str' },
      { path: 'chapter_21_result.pkl', kind: 'list' },
      { path: 'chapter_22_result.pkl', kind: 'other-class' },
      { path: 'chapter_23_result.pkl', kind: 'raw-int-code', cases: [['a.b', 42, 'x']] },
    ]);
    good = readFileSync(path.join(dir, 'chapter_1_result.pkl'));
  });

  async function failure(file: string): Promise<PickleImportError> {
    const err = await importPickles([file]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PickleImportError);
    const e = err as PickleImportError;
    expect(e.file).toBe(file);
    expect(e.message).toContain(file);
    return e;
  }

  it('reports a truncated pickle', async () => {
    const file = path.join(dir, 'chapter_2_result.pkl');
    for (const cut of [1, 20, Math.floor(good.length / 2), good.length - 1]) {
      writeFileSync(file, good.subarray(0, cut));
      const e = await failure(file);
      expect([e.reason, cut]).toEqual(['truncated', cut]);
    }
  });

  it('reports a corrupt pickle', async () => {
    const file = path.join(dir, 'chapter_3_result.pkl');
    const bad = Buffer.from(good);
    bad[5] = 0xff; // an opcode byte (MARK in protocol 2) replaced by garbage
    writeFileSync(file, bad);
    const e = await failure(file);
    expect(e.reason).toBe('corrupt');
    expect(e.message).toMatch(/opcode/i);
  });

  it('reports files that are not pickles, or empty', async () => {
    const text = path.join(dir, 'chapter_4_result.pkl');
    writeFileSync(text, 'hello, this is a text file\n');
    expect((await failure(text)).reason).toBe('not-pickle');
    const json = path.join(dir, 'chapter_5_result.pkl');
    writeFileSync(json, '{"schemaVersion": 1}');
    expect((await failure(json)).reason).toBe('not-pickle');
    const future = path.join(dir, 'chapter_6_result.pkl');
    writeFileSync(future, Buffer.from([0x80, 0x09, 0x4e, 0x2e]));
    expect((await failure(future)).reason).toBe('not-pickle');
    const empty = path.join(dir, 'chapter_7_result.pkl');
    writeFileSync(empty, '');
    expect((await failure(empty)).reason).toBe('empty');
  });

  it('reports pickles of something else as foreign', async () => {
    const strs = await failure(path.join(dir, 'chapter_20_result.pkl'));
    expect([strs.reason, strs.message]).toEqual(['foreign', expect.stringMatching(/"a\.b".*str.*expected CaseResult/)]);
    const list = await failure(path.join(dir, 'chapter_21_result.pkl'));
    expect([list.reason, list.message]).toEqual(['foreign', expect.stringMatching(/list.*expected dict/)]);
    const other = await failure(path.join(dir, 'chapter_22_result.pkl'));
    expect([other.reason, other.message]).toEqual(['foreign', expect.stringContaining('__main__.Other')]);
    const code = await failure(path.join(dir, 'chapter_23_result.pkl'));
    expect([code.reason, code.message]).toEqual(['foreign', expect.stringContaining('error_code')]);
  });

  it('reports missing paths, bad names and empty directories', async () => {
    expect((await failure(path.join(dir, 'nope_chapter_99_result.pkl'))).reason).toBe('io');
    const unnamed = path.join(dir, 'results.pkl');
    writeFileSync(unnamed, good);
    expect((await failure(unnamed)).reason).toBe('bad-name');
    const emptyDir = path.join(tmp, 'emptydir');
    execFileSync('mkdir', ['-p', emptyDir]);
    expect((await failure(emptyDir)).reason).toBe('no-pickles');
  });

  it('reports the same case twice', async () => {
    const other = path.join(tmp, 'dup');
    execFileSync('mkdir', ['-p', other]);
    writeFileSync(path.join(other, 'chapter-1.pkl'), good);
    const err = await importPickles([path.join(dir, 'chapter_1_result.pkl'), path.join(other, 'chapter-1.pkl')]).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PickleImportError);
    expect((err as PickleImportError).reason).toBe('duplicate');
  });
});

describe('splitCaseName', () => {
  it('splits at the first dot', () => {
    expect(splitCaseName('recipe_dir.example2')).toEqual({ recipe: 'recipe_dir', example: 'example2' });
    expect(splitCaseName('pkg.sub.mod')).toEqual({ recipe: 'pkg', example: 'sub.mod' });
    expect(splitCaseName('lonely')).toEqual({ recipe: 'lonely', example: '' });
  });
});
