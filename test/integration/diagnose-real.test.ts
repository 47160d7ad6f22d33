import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions, SAMPLE_COOKBOOK } from '../../src/config/options.ts';
import { DIAGNOSTICS } from '../../src/diagnose/registry.ts';
import { DiagnosisStore } from '../../src/diagnose/store.ts';
import { pythonNameOf } from '../../src/parse/nuitka-names.ts';
import { prepareRunEnvironment } from '../../src/run/prepare.ts';
import { runDoctor } from '../../src/doctor/doctor.ts';
import type { CaseRecord, DiagnosisDataByKind } from '../../src/types.ts';
import { inCI, missingTools } from '../helpers/needs.ts';
import { runAndDiagnoseCases } from '../helpers/run-cases.ts';

// The cheap diagnostics for real: the sample's cases compiled by the real py2wasm 2.6.3 (through
// the shared compile cache, so a repeat compiles nothing), run as real wasm under Node's WASI
// and wasmtime, then diagnosed by the real stage with the real diagnostics (only the ones that
// need no re-compile apply to these cases' failures here).
const TARGETS = ['py2wasm+node', 'py2wasm+wasmtime'];
const CASES = ['progress_output.example1', 'threads.example1'];
const records = new Map<string, CaseRecord>();
let missing = '';
let storeDir: string;

function data<K extends keyof DiagnosisDataByKind>(name: string, target: string, kind: K): DiagnosisDataByKind[K] {
  const r = records.get(`${name} ${target}`)!;
  const result = r.diagnosis?.results.find((x) => x.kind === kind);
  expect(result, JSON.stringify(r.diagnosis)).toMatchObject({ status: 'ok' });
  return result!.data as DiagnosisDataByKind[K];
}

describe('diagnose stage on real py2wasm wasm (Node WASI, wasmtime)', () => {
  beforeAll(async () => {
    const options = resolveOptions(
      { root: SAMPLE_COOKBOOK, cases: CASES, targets: TARGETS, timeouts: { wasmMs: 60_000 } },
      {},
    );
    const doctor = await runDoctor(options);
    missing = missingTools(doctor.availability.problems, ['py2wasm', 'wasmtime']);
    if (missing && inCI()) throw new Error(`missing in CI: ${missing}`);
    if (missing) return;
    const { env, scratchParent } = await prepareRunEnvironment(options, doctor.availability);
    storeDir = await fs.mkdtemp(path.join(os.tmpdir(), 'diagnose-real-'));
    const stage = {
      mode: 'group' as const,
      budgetMs: 120_000,
      topFrames: 5,
      // a store of its own: every run of the test diagnoses for real
      store: new DiagnosisStore(storeDir, 'real-test'),
      stack: {
        iwasmDebug: null,
        iwasmDebugMode: 'interp' as const,
        symbolizer: options.tools.symbolizer,
        timeoutMs: 60_000,
        scratchParent,
        maxFrames: 64,
      },
      diagnostics: DIAGNOSTICS.filter((d) => d.kind === 'unbuffered-output' || d.kind === 'traceback-source'),
      failureLabel: (r: CaseRecord) => r.wasm?.trap?.kind ?? r.msg.trim().split('\n').at(-1) ?? '',
    };
    for (const r of await runAndDiagnoseCases(env, options.root, options.cases, scratchParent, stage))
      records.set(`${r.case} ${r.target.name}`, r);
  }, 20 * 60_000);
  afterAll(() => (storeDir ? fs.rm(storeDir, { recursive: true, force: true }) : undefined));

  it('recovers what a trap swallowed by re-running with PYTHONUNBUFFERED=1, and says how much the plain run lost', (ctx) => {
    if (missing) ctx.skip(missing);
    for (const target of TARGETS) {
      const r = records.get(`progress_output.example1 ${target}`)!;
      expect(r.codeName, r.msg).toBe('WASM_EXECUTION_FAILURE');
      expect(r.wasm!.trap?.kind).toBe('indirect call type mismatch');
      // the plain run, the verdict, lost both progress lines
      expect(r.wasm!.programStdout.text).toBe('');
      const recovered = data('progress_output.example1', target, 'unbuffered-output');
      expect(recovered.stdout.text).toBe('building tasks\nstep 1 of 2\n');
      expect(recovered.lostBytes).toBe(27);
    }
  });

  it("adds the source lines a wasm traceback lacks, from the script and py2wasm's stdlib, as CPython prints them", (ctx) => {
    if (missing) ctx.skip(missing);
    for (const target of TARGETS) {
      const r = records.get(`threads.example1 ${target}`)!;
      expect(r.codeName, r.msg).toBe('WASM_EXECUTION_FAILURE');
      expect(r.wasm!.programStderr.text).toContain('  File "./threading.py", line 964, in start\nRuntimeError');
      const tb = data('threads.example1', target, 'traceback-source');
      expect(tb.traceback).toBe(
        [
          'Traceback (most recent call last):',
          '  File "./example1.py", line 20, in <module>',
          '    t.start()',
          '  File "./threading.py", line 964, in start',
          '    _start_new_thread(self._bootstrap, ())',
          "RuntimeError: can't start new thread",
        ].join('\n'),
      );
      // the script's own line the wasm printed itself (the .py is beside it in the scratch copy)
      expect(tb.added).toBe(1);
      // a traceback is no trap: nothing to recover
      expect(r.diagnosis!.results.map((x) => x.kind)).toEqual(['traceback-source']);
    }
  });

  it("keeps the trap's stack, whose Nuitka frames read in Python terms: the decorator, called from make_task", (ctx) => {
    if (missing) ctx.skip(missing);
    // wasmtime prints 20 frames, enough to reach the script's own functions
    const stack = records.get('progress_output.example1 py2wasm+wasmtime')!.stack!;
    const names = stack.frames.map((f) => ('locations' in f ? f.locations.at(-1)!.function : (f.name ?? '?')));
    expect(names[0]).toBe('getset_get');
    expect(
      names
        .map((n) => pythonNameOf(n))
        .filter(Boolean)
        .slice(0, 2),
    ).toEqual(['__main__.logged', '__main__.make_task']);
  });
});
