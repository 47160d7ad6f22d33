import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { debugBuild } from '../../src/diagnose/diagnostics/debug-build.ts';
import { callerLocation } from '../../src/diagnose/diagnostics/indirect-call.ts';
import { pythonLine, recipeRelative } from '../../src/diagnose/diagnostics/python-line.ts';
import type { DiagnosticContext, DiagnosticRunRequest } from '../../src/diagnose/types.ts';
import { parseNodeWasiOutput } from '../../src/parse/node-output.ts';
import {
  CaseErrorCode,
  type CaseRecord,
  type RanRecord,
  type CaseStack,
  type CompileOutcome,
  type RuntimeRun,
} from '../../src/types.ts';
import { makeRecord, makeRuntimeRun, readFixture } from '../helpers/records.ts';

// The diagnostics' logic on real recorded outputs: the context replays what real py2wasm builds
// printed under Node (test/fixtures/py2wasm/diagnose); the e2e test runs them for real.
let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'diagnostics-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

function nodeRun(stderr: string, stdout = ''): RuntimeRun {
  const parsed = parseNodeWasiOutput(stderr);
  return makeRuntimeRun({
    runtime: 'node',
    exitCode: 1,
    stdout,
    stderr,
    programStderr: parsed.programStderr,
    runtimeLines: parsed.runtimeLines,
    frames: parsed.frames,
    ...(parsed.trap ? { trap: parsed.trap } : {}),
  });
}

const compiled = (wasmPath?: string): CompileOutcome => ({
  compiler: 'py2wasm',
  cached: false,
  exitCode: wasmPath ? 0 : 1,
  timedOut: false,
  durationMs: 1,
  logTail: wasmPath ? '' : 'FATAL: no',
  command: [],
  ...(wasmPath ? { wasmPath } : {}),
});

function failing(wasm: RuntimeRun): RanRecord {
  return {
    ...makeRecord({ code: CaseErrorCode.WASM_EXECUTION_FAILURE, target: 'py2wasm+node' }),
    compile: compiled('plain.wasm'),
    wasm,
  };
}

/** A context replaying one recorded run for whatever the diagnostic compiles. */
function replay(
  record: CaseRecord,
  run: RuntimeRun,
  log: { compiles: string[][]; runs: DiagnosticRunRequest[] },
  compile = compiled('rebuilt.wasm'),
): DiagnosticContext {
  return {
    record,
    group: { key: 'k', label: 'l', frames: [] },
    target: { name: 'py2wasm+node', compiler: 'py2wasm', runtime: 'node' },
    stack: undefined,
    scratchDir: dir,
    scriptName: 'nested_trap_tr.py',
    node: [process.execPath],
    guestEnv: {},
    dwarfdump: null,
    wasiPythonDir: null,
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
    progress: () => undefined,
    compile: (req) => (log.compiles.push(req.projectOptions ?? []), Promise.resolve(compile)),
    runWasm: (req = {}) => (log.runs.push(req), Promise.resolve(run)),
    symbolize: () => Promise.reject(new Error('not here')),
    verdict: () => {
      throw new Error('not here');
    },
  };
}

describe('python-line', () => {
  it('names the statement a real --trace-execution build ran last: file, line, its text, the function', async () => {
    await fs.copyFile(
      new URL('../fixtures/py2wasm/diagnose/nested_trap_tr.py', import.meta.url),
      path.join(dir, 'nested_trap_tr.py'),
    );
    const trapped = nodeRun(readFixture('diagnose', 'trace-node.stderr'), readFixture('diagnose', 'trace-node.stdout'));
    const record = failing(trapped);
    expect(pythonLine.appliesTo(record, { key: '', label: '', frames: [] })).toBe(true);
    const log = { compiles: [] as string[][], runs: [] as DiagnosticRunRequest[] };
    const data = await pythonLine.run(replay(record, trapped, log));
    expect(log.compiles).toEqual([['--trace-execution']]);
    expect(log.runs[0]!.wasmPath).toBe('rebuilt.wasm');
    expect(log.runs[0]!.capture!.tailBytes).toBeGreaterThan(log.runs[0]!.capture!.headBytes);
    expect(data).toMatchObject({
      file: 'nested_trap_tr.py',
      line: 8,
      source: 'module = getattr(func, "__module__")',
      function: '__main__.label',
    });
    expect(data.trace.at(-1)).toBe('nested_trap_tr.py:8 STATEMENT_ASSIGNMENT_VARIABLE_GENERIC in __main__.label');
    expect(data.trace.length).toBeLessThanOrEqual(8);
  });

  it('names traced files as the recipe does, though the traced build was compiled elsewhere', async () => {
    await fs.mkdir(path.join(dir, 'lib'));
    await fs.writeFile(path.join(dir, 'lib', 'shapes.py'), 'x = 1\n');
    await fs.writeFile(path.join(dir, 'example1.py'), 'y = 2\n');
    expect(await recipeRelative(dir, '/cache/scratch/4-r-compile-p1-abc/r/lib/shapes.py')).toBe('lib/shapes.py');
    expect(await recipeRelative(dir, '/cache/scratch/4-r-compile-p1-abc/r/example1.py')).toBe('example1.py');
    expect(await recipeRelative(dir, 'example1.py')).toBe('example1.py');
    expect(await recipeRelative(dir, '/elsewhere/other.py')).toBe('/elsewhere/other.py');
  });

  it('applies to traps and to wasm failures without a traceback line of the script, never to others', () => {
    const group = { key: '', label: '', frames: [] };
    const withTraceback = failing(nodeRun(readFixture('diagnose', 'urllib-plain-node.stderr')));
    expect(pythonLine.appliesTo(withTraceback, group)).toBe(false);
    expect(
      pythonLine.appliesTo(
        failing(makeRuntimeRun({ exitCode: 1, programStderr: 'Fatal Python error: init\n' })),
        group,
      ),
    ).toBe(true);
    expect(
      pythonLine.appliesTo(
        { ...failing(nodeRun(readFixture('diagnose', 'trace-node.stderr'))), compile: compiled() },
        group,
      ),
    ).toBe(false);
    expect(
      pythonLine.appliesTo(
        { ...failing(makeRuntimeRun({ exitCode: null, timedOut: true })), code: CaseErrorCode.WASM_EXECUTION_TIMEOUT },
        group,
      ),
    ).toBe(false);
  });

  it('says why when the traced build cannot be made or prints no trace', async () => {
    const trapped = nodeRun(readFixture('diagnose', 'trace-node.stderr'));
    const log = { compiles: [] as string[][], runs: [] as DiagnosticRunRequest[] };
    await expect(pythonLine.run(replay(failing(trapped), trapped, log, compiled()))).rejects.toThrow(
      /--trace-execution compile failed \(exit 1\): FATAL: no/,
    );
    await expect(pythonLine.run(replay(failing(trapped), trapped, log))).rejects.toThrow(
      /printed no Execute: lines \(RuntimeError: null function/,
    );
  });
});

describe('debug-build', () => {
  it('reports the assertion of a real --debug build beside a plain build that failed otherwise', async () => {
    const plain = failing(nodeRun(readFixture('diagnose', 'urllib-plain-node.stderr')));
    const debugRun = nodeRun(readFixture('diagnose', 'urllib-debug-node.stderr'));
    const log = { compiles: [] as string[][], runs: [] as DiagnosticRunRequest[] };
    const data = await debugBuild.run(replay(plain, debugRun, log));
    expect(log.compiles).toEqual([['--debug']]);
    expect(data).toMatchObject({ differs: true, codeName: 'WASM_EXECUTION_FAILURE', exitCode: 1 });
    expect(data.failure).toMatch(
      /^Assertion failed: current \(.*nuitka\/build\/static_src\/MetaPathBasedLoader\.c: findEntry: 244\)$/,
    );
    expect(data.assertion).toContain('findEntry: 244');
    expect(Object.keys(data).sort()).toEqual(['assertion', 'codeName', 'differs', 'exitCode', 'failure']);
  });

  it('says the debug build failed alike when it did', async () => {
    const plain = failing(nodeRun(readFixture('diagnose', 'urllib-plain-node.stderr')));
    const data = await debugBuild.run(replay(plain, plain.wasm!, { compiles: [], runs: [] }));
    expect(data).toMatchObject({ differs: false, failure: "ModuleNotFoundError: No module named 'email.utils'" });
    expect(data.assertion).toBeUndefined();
  });
});

describe('indirect-call caller location', () => {
  const stack = (
    locations: Array<{ function: string; file?: string; line?: number; inlined: boolean }>,
  ): CaseStack => ({
    source: 'runtime',
    frames: [{ raw: { index: 0, thread: 0, addressSpace: 'module-offset' }, locations, assumed: 'module-offset' }],
    omittedFrames: 0,
    symbolized: true,
    messages: [],
  });
  it("gives the trap frame's source location from the source tree on, when the frame is the caller", () => {
    const dwarf = stack([
      {
        function: 'getset_get',
        file: '/Users/x/cpython-3.11/builddir/wasi/../../Objects/descrobject.c',
        line: 202,
        inlined: false,
      },
    ]);
    expect(callerLocation(dwarf, 'getset_get')).toBe('Objects/descrobject.c:202');
    expect(callerLocation(dwarf, 'other_function')).toBeUndefined();
    expect(callerLocation(stack([{ function: 'getset_get', inlined: false }]), 'getset_get')).toBeUndefined();
    expect(callerLocation(undefined, 'getset_get')).toBeUndefined();
  });
});
