import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCacheDir, resolveOptions } from '../../src/config/options.ts';
import { discoverCookbook } from '../../src/discover/discover.ts';
import { collectCallstacks } from '../../src/diagnose/callstacks.ts';
import { diagnoseCase } from '../../src/diagnose/run-case.ts';
import { diagnoseRecords, type DiagnoseStageOptions } from '../../src/diagnose/stage.ts';
import { DiagnosisStore } from '../../src/diagnose/store.ts';
import { DIAGNOSTICS } from '../../src/diagnose/registry.ts';
import { detectToolchain } from '../../src/toolchain/index.ts';
import { buildEnvironment, type RunEnvironment } from '../../src/run/environment.ts';
import { RecipeRunner } from '../../src/run/pipeline.ts';
import type { CaseRecord, RawFrame } from '../../src/types.ts';
import { outcomeName } from '../../src/records.ts';
import { inCI } from '../helpers/needs.ts';
import { recordTargetOf } from '../../src/records/target.ts';

// iwasm is in no registry, so the py2wasm+iwasm target runs against a REPLAY DOUBLE of iwasm: it
// prints what a real iwasm 2.4.3 (release, and the debug build with call-stack dumps) printed for
// the same programs compiled by real py2wasm 2.6.3 (test/fixtures/iwasm-replay/recorded, from the
// project's reference captures; progress_trap's, also built with --trace-execution and --debug and
// run with PYTHONUNBUFFERED=1, were recorded for this project: see its README). CPython runs the
// programs for real.
const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '..', 'fixtures', 'iwasm-replay');
const doubles = path.join(here, '..', 'doubles');

let cacheDir: string;
let env: RunEnvironment;
const records = new Map<string, CaseRecord>();

/** The diagnose stage with the debug iwasm replay double and no diagnostics: call stacks only. */
function stacksOnly(): DiagnoseStageOptions {
  return {
    mode: 'off',
    budgetMs: 60_000,
    topFrames: 5,
    store: new DiagnosisStore(path.join(cacheDir, 'diagnose'), 'replay-test'),
    stack: {
      iwasmDebug: [path.join(doubles, 'iwasm.dbg-replay.mjs')],
      iwasmDebugMode: 'interp',
      symbolizer: null, // the replayed "wasm" is a stub: nothing to symbolize, names come from the dump
      timeoutMs: 30_000,
      scratchParent: path.join(cacheDir, 'scratch'),
      maxFrames: 64,
    },
    diagnostics: [],
    failureLabel: (r) => outcomeName(r),
  };
}
const noCompile = () => Promise.reject(new Error('no re-compiles here'));

describe('py2wasm+iwasm against the iwasm replay double', () => {
  beforeAll(async () => {
    cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'iwasm-replay-'));
    const options = resolveOptions(
      {
        root: path.join(fixtures, 'cookbook'),
        exclude: ['sibling_import.helper', 'loop.*'],
        targets: ['py2wasm+iwasm'],
        tools: { py2wasm: path.join(doubles, 'py2wasm-standin.sh'), iwasm: path.join(doubles, 'iwasm-replay.mjs') },
        timeouts: { pythonMs: 10_000, wasmMs: 10_000 },
        cacheDir,
        // through the case environment (the compile sees nothing else of the host's): the replay double needs a file, not real wasm
        env: { PY2WASM_STANDIN_MODE: 'header' },
      },
      {},
    );
    env = buildEnvironment(options, {
      py2wasm: { command: options.tools.py2wasm!, fingerprint: 'replay', sdkFingerprint: 'none', wasiSdkDir: null },
      iwasm: options.tools.iwasm!,
      node: [process.execPath],
      versions: {},
      problems: {},
    });
    await fs.mkdir(path.join(cacheDir, 'scratch'));
    for (const recipe of discoverCookbook(options.root, { exclude: options.exclude })[0]!.recipes) {
      const runner = new RecipeRunner(env, recipe, path.join(cacheDir, 'scratch'));
      for (const kase of recipe.cases) for (const r of await runner.runCase(kase)) records.set(r.case, r);
      await runner.dispose();
    }
  }, 300_000);
  afterAll(() => fs.rm(cacheDir, { recursive: true, force: true }));

  it('classifies the recorded iwasm outcomes', () => {
    const codes = Object.fromEntries([...records].map(([k, r]) => [k, r.codeName]));
    expect(codes).toMatchObject({
      'exit3.exit3': 'PY_EXECUTION_FAILURE',
      'raise.raise': 'PY_EXECUTION_FAILURE',
      'wraps.wraps': 'WASM_EXECUTION_FAILURE',
      'progress_trap.progress_trap': 'WASM_EXECUTION_FAILURE',
      'property.property': 'WASM_EXECUTION_FAILURE',
      'unittest_raises.unittest_raises': 'WASM_EXECUTION_FAILURE',
      'getaddrinfo.getaddrinfo': 'WASM_EXECUTION_FAILURE',
      'thread_subclass.thread_subclass': 'WASM_EXECUTION_FAILURE',
      'ctypes_import.ctypes_import': 'WASM_EXECUTION_FAILURE',
      'dynlib.dynlib': 'WASM_EXECUTION_FAILURE',
      'recursion.recursion': 'WASM_EXECUTION_FAILURE',
      'nonutf8.nonutf8': 'OK',
      'sibling_import.sibling_import': 'OK',
    });
  });

  it("splits iwasm's Exception: line (on stdout) from the program's output", () => {
    const wraps = records.get('wraps.wraps')!;
    expect(wraps.wasm!.trap).toEqual({
      kind: 'indirect call type mismatch',
      message: 'Exception: indirect call type mismatch',
    });
    expect(wraps.wasm!.programStdout.text).not.toContain('Exception:');
    expect(wraps.msg).toContain('Exception: indirect call type mismatch');
    expect(records.get('ctypes_import.ctypes_import')!.wasm!.trap?.kind).toBe('unreachable');
    expect(records.get('recursion.recursion')!.wasm!.trap?.kind).toBe('out of bounds memory access');
    // a Python-level error is not a trap: exit 1, a traceback on stderr, no Exception: line
    const gai = records.get('getaddrinfo.getaddrinfo')!;
    expect(gai.wasm!.trap).toBeUndefined();
    expect(gai.msg).toContain("AttributeError: module '_socket' has no attribute 'getaddrinfo'");
  });

  it('re-runs traps under the debug iwasm double and groups the distinct stacks', async () => {
    const before = [...records.values()];
    const diagnosed = await diagnoseRecords(before, { env, compile: noCompile }, stacksOnly());
    // the stage adds stacks and never touches a verdict
    expect(diagnosed.map((r) => [r.case, r.code, r.msg])).toEqual(before.map((r) => [r.case, r.code, r.msg]));
    const report = collectCallstacks(diagnosed, { topN: 5 });
    const wraps = report.stacks.find((s) => s.case === 'wraps.wraps')!;
    expect(wraps.source).toBe('iwasm-debug');
    expect((wraps.frames as RawFrame[]).slice(0, 3).map((f) => f.name)).toEqual([
      'getset_get',
      '_PyObject_GenericGetAttrWithDict',
      'PyObject_GenericGetAttr',
    ]);
    expect((wraps.frames[0] as RawFrame).addressSpace).toBe('module-offset-after');
    const group = report.groups.find((g) => g.cases.includes('1/wraps.wraps'))!;
    expect(group.frames[0]!.function).toBe('getset_get');
    expect(group.note).toMatch(/getset_get/);
    // property and unittest_raises trap in getset_get too, through other callers
    const topOfEach = new Set(
      report.groups.filter((g) => g.frames[0]?.function === 'getset_get').flatMap((g) => g.cases),
    );
    expect(topOfEach).toEqual(
      new Set([
        '1/wraps.wraps',
        '1/progress_trap.progress_trap',
        '1/property.property',
        '1/unittest_raises.unittest_raises',
      ]),
    );
    expect(report.messages.some((m) => /llvm-symbolizer not found|unsymbolized/.test(m))).toBe(true);
  });

  it('re-runs a wasm under the debug iwasm once, even when two targets trapped in it', async () => {
    const wraps = records.get('wraps.wraps')!;
    const log = path.join(cacheDir, 'replay.log');
    process.env.IWASM_REPLAY_LOG = log;
    try {
      const diagnosed = await diagnoseRecords(
        [wraps, { ...wraps, target: recordTargetOf('py2wasm+wasmtime') }],
        { env, compile: noCompile },
        stacksOnly(),
      );
      const report = collectCallstacks(diagnosed, { topN: 5 });
      expect(report.stacks.map((s) => [s.target, s.source])).toEqual([
        ['py2wasm+iwasm', 'iwasm-debug'],
        ['py2wasm+wasmtime', 'iwasm-debug'],
      ]);
      expect((await fs.readFile(log, 'utf8')).trim().split('\n')).toEqual(['iwasm-dbg wraps']);
    } finally {
      delete process.env.IWASM_REPLAY_LOG;
    }
  });

  it("takes a trap's stack from the cache when the same wasm trapped the same way under the same debug iwasm; another debug iwasm re-runs it", async () => {
    const wraps = records.get('wraps.wraps')!;
    const log = path.join(cacheDir, 'replay-stack-cache.log');
    const stage = {
      ...stacksOnly(),
      store: new DiagnosisStore(path.join(cacheDir, 'diagnose-stack-cache'), 'stack-cache-test'),
    };
    process.env.IWASM_REPLAY_LOG = log;
    try {
      const [first] = await diagnoseRecords([wraps], { env, compile: noCompile }, stage);
      const [second] = await diagnoseRecords([wraps], { env, compile: noCompile }, stage);
      expect(first!.stack!.cached).toBeUndefined();
      expect(second!.stack).toEqual({ ...first!.stack, cached: true });
      expect((await fs.readFile(log, 'utf8')).trim().split('\n')).toEqual(['iwasm-dbg wraps']);
      // a rebuilt debug iwasm is another tool (here: the same double reached through another path)
      const other = path.join(cacheDir, 'other-iwasm', 'iwasm.dbg-replay.mjs');
      await fs.mkdir(path.dirname(other), { recursive: true });
      await fs.symlink(path.join(doubles, 'iwasm.dbg-replay.mjs'), other);
      const [third] = await diagnoseRecords(
        [wraps],
        { env, compile: noCompile },
        { ...stage, stack: { ...stage.stack, iwasmDebug: [other] } },
      );
      expect(third!.stack!.cached).toBeUndefined();
      expect(third!.stack!.frames).toEqual(first!.stack!.frames);
      expect((await fs.readFile(log, 'utf8')).trim().split('\n')).toEqual(['iwasm-dbg wraps', 'iwasm-dbg wraps']);
    } finally {
      delete process.env.IWASM_REPLAY_LOG;
    }
  });

  it("adds source lines to the recorded iwasm traceback from the script and py2wasm's stdlib (diagnose stage, real stdlib)", async (ctx) => {
    // the stdlib is the one shipped with the real py2wasm that setup installs
    const toolchain = await detectToolchain(defaultCacheDir()).catch(() => undefined);
    if (!toolchain && inCI()) throw new Error('no py2wasm toolchain in CI (npx vitest-py2wasm setup)');
    if (!toolchain) return ctx.skip('no py2wasm toolchain: npx vitest-py2wasm setup');
    const withStdlib: RunEnvironment = {
      ...env,
      wasiPython: {
        wasm: path.join(toolchain.wasiPythonDir, 'bin', 'python3.11.wasm'),
        libDir: path.join(toolchain.wasiPythonDir, 'lib'),
      },
    };
    const thread = records.get('thread_subclass.thread_subclass')!;
    const [diagnosed] = await diagnoseRecords(
      [thread],
      { env: withStdlib, compile: noCompile },
      { ...stacksOnly(), mode: 'group', diagnostics: DIAGNOSTICS.filter((d) => d.kind === 'traceback-source') },
    ); // the re-compiling diagnostics have no compiler here
    expect(diagnosed!.code).toBe(thread.code);
    expect(diagnosed!.diagnosis!.results).toMatchObject([
      {
        kind: 'traceback-source',
        status: 'ok',
        data: {
          traceback: [
            'Traceback (most recent call last):',
            '  File "./thread_subclass.py", line 15, in <module>',
            '    Worker().start()',
            '  File "./threading.py", line 964, in start',
            '    _start_new_thread(self._bootstrap, ())',
            "RuntimeError: can't start new thread",
          ].join('\n'),
          added: 2,
        },
      },
    ]);
  });

  it('diagnoses a trap under iwasm: the Python line from a --trace-execution build, the --debug build beside it, the output the trap swallowed', async () => {
    // each re-run replays a real iwasm 2.4.3 run of the real py2wasm build with those options
    const kase = records.get('progress_trap.progress_trap')!;
    expect(kase.wasm!.programStdout.text).toBe('');
    const recipe = discoverCookbook(path.join(fixtures, 'cookbook'), {
      exclude: ['sibling_import.helper', 'loop.*'],
    })[0]!.recipes.find((r) => r.recipe === 'progress_trap')!;
    const runner = new RecipeRunner(env, recipe, path.join(cacheDir, 'scratch'));
    const log = path.join(cacheDir, 'replay-diagnose.log');
    process.env.IWASM_REPLAY_LOG = log;
    try {
      const kinds = new Set(['python-line', 'debug-build', 'unbuffered-output']);
      const stage = {
        ...stacksOnly(),
        mode: 'case' as const,
        diagnostics: DIAGNOSTICS.filter((d) => kinds.has(d.kind)),
      };
      const [diagnosed] = await diagnoseCase(runner, recipe.cases[0]!, [kase], stage);
      expect([diagnosed!.code, diagnosed!.msg]).toEqual([kase.code, kase.msg]);
      const result = (k: string) => diagnosed!.diagnosis!.results.find((r) => r.kind === k)!;
      expect(result('python-line')).toMatchObject({
        status: 'ok',
        data: { file: 'progress_trap.py', line: 9, source: 'def wrapper(*args):', function: '__main__.logged' },
      });
      expect(result('unbuffered-output')).toMatchObject({
        status: 'ok',
        data: { stdout: { text: 'building tasks\nstep 1 of 2\n' }, lostBytes: 27 },
      });
      // the --debug build of this program traps the same way: no assertion to show
      expect(result('debug-build')).toMatchObject({
        status: 'ok',
        data: {
          differs: false,
          failure: 'trap: indirect call type mismatch',
          codeName: 'WASM_EXECUTION_FAILURE',
          exitCode: 1,
        },
      });
      const runs = (await fs.readFile(log, 'utf8')).trim().split('\n');
      expect(runs).toEqual(
        expect.arrayContaining([
          'iwasm.trace-execution progress_trap',
          'iwasm.debug progress_trap',
          'iwasm.unbuffered progress_trap',
        ]),
      );
    } finally {
      delete process.env.IWASM_REPLAY_LOG;
      await runner.dispose();
    }
  });
});
