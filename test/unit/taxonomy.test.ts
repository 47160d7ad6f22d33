import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../src/classify/failure.ts';
import { compareOutputs } from '../../src/compare/compare.ts';
import { compileErrorLine, normalizeMessage } from '../../src/classify/failure-text.ts';
import { groupFailures } from '../../src/classify/group-failures.ts';
import { firstDiffPair } from '../../src/compare/first-change.ts';
import { finalExceptionLine, findTracebacks } from '../../src/parse/python-traceback.ts';
import { trapKindInText as trapKindFromMessage } from '../../src/parse/traps.ts';
import { CaseErrorCode, type CaseRecord, type RanRecord, type TrapKind } from '../../src/types.ts';
import { makeRecord, readFixture } from '../helpers/records.ts';
import { recordTargetOf } from '../../src/records/target.ts';

const W = CaseErrorCode.WASM_EXECUTION_FAILURE;

/** What the runner records for a trapping run (runtime lines split out, trap normalized). */
function trapRecord(
  prog: string,
  target: string,
  trap: TrapKind,
  message: string,
  raw: { stdout?: string; stderr?: string },
): CaseRecord {
  return makeRecord({
    recipe: prog,
    code: W,
    target,
    wasm: { ...raw, programStdout: '', programStderr: '', runtimeLines: [message], trap: { kind: trap, message } },
  });
}

/** What the runner records for a Python exception inside the wasm (iwasm: traceback on stderr). */
function tracebackRecord(prog: string, extra: Partial<CaseRecord> = {}): RanRecord {
  const stdout = safeFixture(prog, 'iwasm.stdout');
  const stderr = readFixture(prog, 'iwasm.stderr');
  return makeRecord({ recipe: prog, code: W, wasm: { stdout, stderr, runtimeLines: [] }, ...extra });
}

function safeFixture(prog: string, file: string): string {
  try {
    return readFixture(prog, file);
  } catch {
    return '';
  }
}

describe('normalizeMessage', () => {
  it('strips addresses, frame line numbers, pids, per-binary hashes and function indices', () => {
    expect(normalizeMessage('Exception ignored in: <function BaseEventLoop.__del__ at 0xfa8cb8>')).toBe(
      normalizeMessage('Exception ignored in: <function BaseEventLoop.__del__ at 0xfa87f8>'),
    );
    expect(normalizeMessage('  File "./socket.py", line 962, in getaddrinfo')).toBe(
      'File "./socket.py", line N, in getaddrinfo',
    );
    expect(normalizeMessage('(node:21121) ExperimentalWarning')).toBe('(node:PID) ExperimentalWarning');
    expect(
      normalizeMessage('at output.wasm.getset_get (wasm://wasm/output.wasm-0688d1be:wasm-function[570]:0x3a515)'),
    ).toBe('at output.wasm.getset_get (wasm://wasm/output.wasm:wasm-function[N]:0x…)');
    expect(normalizeMessage('Objects/descrobject.c:202:16: error: boom')).toBe('Objects/descrobject.c:N: error: boom');
  });

  it('keeps what tells failures apart', () => {
    expect(normalizeMessage("FileNotFoundError: [Errno 44] No such file or directory: '~'")).toBe(
      "FileNotFoundError: [Errno 44] No such file or directory: '~'",
    );
    expect(normalizeMessage("KeyError: 'countdown2'")).toBe("KeyError: 'countdown2'");
    expect(normalizeMessage("ValueError: invalid literal for int() with base 10: 'N/A'")).toBe(
      "ValueError: invalid literal for int() with base 10: 'N/A'",
    );
  });
});

describe('finalExceptionLine', () => {
  it('reads the exception line of real py2wasm tracebacks', () => {
    expect(finalExceptionLine(readFixture('getaddrinfo', 'iwasm.stderr'))).toBe(
      "AttributeError: module '_socket' has no attribute 'getaddrinfo'",
    );
    expect(finalExceptionLine(readFixture('raise', 'iwasm.stderr'))).toBe(
      "ValueError: invalid literal for int() with base 10: 'N/A'",
    );
    expect(finalExceptionLine(readFixture('urllib_import', 'iwasm.stderr'))).toBe(
      "ModuleNotFoundError: No module named 'email.utils'",
    );
  });

  it('skips CPython source lines and carets', () => {
    expect(finalExceptionLine(readFixture('raise', 'cpython.stderr'))).toBe(
      "ValueError: invalid literal for int() with base 10: 'N/A'",
    );
  });

  it('ignores the `Exception ignored in` traceback that follows the real one (asyncio_run)', () => {
    const text = readFixture('asyncio_run', 'iwasm.stderr');
    const blocks = findTracebacks(text);
    expect(blocks.map((b) => [b.exception, b.ignored])).toEqual([
      ['OSError: [Errno 58] Not supported', false],
      ["AttributeError: '_UnixSelectorEventLoop' object has no attribute '_ssock'", true],
    ]);
    expect(finalExceptionLine(text)).toBe('OSError: [Errno 58] Not supported');
  });

  it('takes the last exception of a `During handling` / `direct cause` chain', () => {
    const chain = [
      'Traceback (most recent call last):',
      '  File "./a.py", line 3, in <module>',
      "KeyError: 'x'",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "./a.py", line 5, in <module>',
      'ValueError: second',
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      'Traceback (most recent call last):',
      '  File "./a.py", line 7, in <module>',
      'RuntimeError: third',
    ].join('\n');
    expect(finalExceptionLine(chain)).toBe('RuntimeError: third');
  });

  it('treats a chain hanging off an ignored exception as noise too', () => {
    const text = [
      'Traceback (most recent call last):',
      '  File "./a.py", line 1, in <module>',
      'OSError: real',
      'Exception ignored in: <function X.__del__ at 0x1234>',
      'Traceback (most recent call last):',
      '  File "./a.py", line 9, in __del__',
      'KeyError: 1',
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "./a.py", line 10, in __del__',
      'AttributeError: noise',
    ].join('\n');
    expect(finalExceptionLine(text)).toBe('OSError: real');
  });

  it('falls back to the ignored exception when it is all there is', () => {
    const text = [
      'Exception ignored in: <x>',
      'Traceback (most recent call last):',
      '  File "a", line 1',
      'AttributeError: only',
    ].join('\n');
    expect(finalExceptionLine(text)).toBe('AttributeError: only');
  });

  it('distinguishes no traceback (undefined) from a traceback cut before its exception (null)', () => {
    // thread_subclass prints a caught `RuntimeError: ...` on stdout without a traceback
    expect(finalExceptionLine(readFixture('thread_subclass', 'iwasm.stdout'))).toBeUndefined();
    expect(finalExceptionLine('Traceback (most recent call last):\n  File "./a.py", line 1, in <module>\n')).toBeNull();
  });
});

describe('trapKindFromMessage', () => {
  it('maps each runtime wording of the same fault to one kind', () => {
    expect(trapKindFromMessage('indirect call type mismatch')).toBe('indirect call type mismatch');
    expect(trapKindFromMessage('null function or function signature mismatch')).toBe('indirect call type mismatch');
    expect(trapKindFromMessage('wasm `unreachable` instruction executed')).toBe('unreachable');
    expect(trapKindFromMessage('table index is out of bounds')).toBe('table index out of bounds');
    expect(trapKindFromMessage('out of bounds memory access')).toBe('out of bounds memory access');
    expect(trapKindFromMessage('wasm operand stack overflow')).toBe('stack overflow');
    expect(trapKindFromMessage('something new')).toBe('other');
  });
});

describe('classifyFailure: WASM_EXECUTION_FAILURE', () => {
  it('groups a trap by its normalized kind, whatever runtime reported it', () => {
    const iwasm = trapRecord(
      'wraps',
      'py2wasm+iwasm',
      'indirect call type mismatch',
      'Exception: indirect call type mismatch',
      {
        stdout: readFixture('wraps', 'iwasm.stdout'),
      },
    );
    const node = trapRecord(
      'wraps',
      'py2wasm+node',
      'indirect call type mismatch',
      'RuntimeError: null function or function signature mismatch',
      {
        stderr: readFixture('wraps', 'node.stderr'),
      },
    );
    expect(classifyFailure(iwasm)).toEqual({
      kind: 'trap',
      label: 'indirect call type mismatch',
      code: W,
      target: 'py2wasm+iwasm',
    });
    expect(classifyFailure(node)).toEqual({
      kind: 'trap',
      label: 'indirect call type mismatch',
      code: W,
      target: 'py2wasm+node',
    });
  });

  it("labels an `other` trap with the runtime's message", () => {
    const r = trapRecord('deep', 'py2wasm+iwasm', 'other', 'Exception: wasm operand stack overflow', {});
    expect(classifyFailure(r)).toMatchObject({ kind: 'trap', label: 'wasm operand stack overflow' });
  });

  it('finds the trap in raw runtime output when the record has no trap and no runtime lines (imported records)', () => {
    const raw = (stdout: string, stderr: string) =>
      makeRecord({ code: W, wasm: { stdout, stderr, runtimeLines: undefined } });
    expect(classifyFailure(raw(readFixture('wraps', 'iwasm.stdout'), ''))).toMatchObject({
      kind: 'trap',
      label: 'indirect call type mismatch',
    });
    expect(classifyFailure(raw('', readFixture('wraps', 'node.stderr')))).toMatchObject({
      kind: 'trap',
      label: 'indirect call type mismatch',
    });
    expect(classifyFailure(raw('', readFixture('wraps', 'wasmtime.stderr')))).toMatchObject({
      kind: 'trap',
      label: 'indirect call type mismatch',
    });
    expect(classifyFailure(raw(readFixture('ctypes_import', 'iwasm.stdout'), ''))).toMatchObject({
      kind: 'trap',
      label: 'unreachable',
    });
    // wasmtime prints the memory fault first and the trap as the last cause
    expect(classifyFailure(raw('', readFixture('recursion', 'wasmtime.stderr')))).toMatchObject({
      kind: 'trap',
      label: 'out of bounds memory access',
    });
    expect(classifyFailure(raw('', readFixture('recursion', 'node.stderr')))).toMatchObject({
      kind: 'trap',
      label: 'table index out of bounds',
    });
  });

  it('classifies a legacy record by its msg, as the seed did', () => {
    const trap = makeRecord({ code: W, msg: 'Exception: out of bounds memory access\n' });
    expect(classifyFailure(trap)).toMatchObject({ kind: 'trap', label: 'out of bounds memory access' });
    const tb = makeRecord({ code: W, msg: readFixture('thread_subclass', 'iwasm.stderr') });
    expect(classifyFailure(tb)).toMatchObject({ kind: 'traceback', label: "RuntimeError: can't start new thread" });
  });

  it('does not mistake a Python `Exception: ...` for an iwasm trap', () => {
    const msg = 'Traceback (most recent call last):\n  File "./a.py", line 2, in <module>\nException: boom\n';
    expect(classifyFailure(makeRecord({ code: W, msg }))).toMatchObject({
      kind: 'traceback',
      label: 'Exception: boom',
    });
    // runner split the runtime lines: a program printing `Exception: ...` itself is not a trap
    const printed = makeRecord({
      code: W,
      wasm: {
        stdout: 'Exception: printed by the program\n',
        stderr: readFixture('raise', 'iwasm.stderr'),
        runtimeLines: [],
      },
    });
    expect(classifyFailure(printed)).toMatchObject({
      kind: 'traceback',
      label: "ValueError: invalid literal for int() with base 10: 'N/A'",
    });
  });

  it('groups tracebacks by their final exception line', () => {
    expect(classifyFailure(tracebackRecord('getaddrinfo'))).toMatchObject({
      kind: 'traceback',
      label: "AttributeError: module '_socket' has no attribute 'getaddrinfo'",
    });
    expect(classifyFailure(tracebackRecord('asyncio_run'))).toMatchObject({
      kind: 'traceback',
      label: 'OSError: [Errno 58] Not supported',
    });
    expect(classifyFailure(tracebackRecord('dynlib'))).toMatchObject({
      kind: 'traceback',
      label: 'ImportError: dynamic libraries are not implemented in wasi',
    });
    // stdout holds a caught `RuntimeError` line, stderr the uncaught traceback
    expect(classifyFailure(tracebackRecord('thread_subclass'))).toMatchObject({
      kind: 'traceback',
      label: "RuntimeError: can't start new thread",
    });
  });

  it('reads a traceback in node stderr behind the ExperimentalWarning lines', () => {
    const r = makeRecord({
      code: W,
      target: 'py2wasm+node',
      wasm: { stderr: readFixture('getaddrinfo', 'node.stderr'), runtimeLines: [] },
    });
    expect(classifyFailure(r)).toMatchObject({
      kind: 'traceback',
      label: "AttributeError: module '_socket' has no attribute 'getaddrinfo'",
    });
  });

  it('recognizes a module that failed to load', () => {
    const r = makeRecord({
      code: W,
      wasm: {
        stdout: 'WASM module load failed: invalid limits flags\n',
        runtimeLines: ['WASM module load failed: invalid limits flags'],
        exitCode: 255,
      },
    });
    expect(classifyFailure(r)).toMatchObject({ kind: 'other', label: 'WASM module load failed: invalid limits flags' });
  });

  it('labels a non-zero exit without a traceback by its exit status and last line', () => {
    const r = makeRecord({ code: W, msg: 'wasm exited with status 1\nmore', wasm: { runtimeLines: [], exitCode: 1 } });
    expect(classifyFailure(r)).toMatchObject({ kind: 'other', label: 'exit status 1: more' });
    const silent = makeRecord({ code: W, wasm: { runtimeLines: [], exitCode: 1 } });
    expect(classifyFailure(silent)).toMatchObject({ kind: 'other', label: 'exit status 1, no output' });
    const unknown = makeRecord({ code: W, msg: 'something odd', wasm: { runtimeLines: [] } });
    expect(classifyFailure(unknown)).toMatchObject({ kind: 'other', label: 'unclassified: something odd' });
  });

  it("labels CPython's dump of an exception it could not print (sys.stderr lost) by the exception's repr", () => {
    const stderr = [
      'object address  : 0x3cde5c8',
      'object refcount : 2',
      'object type     : 0x2b1c90',
      'object type name: NameError',
      `object repr     : NameError("name '' is not defined")`,
      'lost sys.stderr',
      '',
    ].join('\n');
    const r = makeRecord({ code: W, msg: stderr, wasm: { programStderr: stderr, runtimeLines: [], exitCode: 1 } });
    expect(classifyFailure(r)).toMatchObject({
      kind: 'traceback',
      label: `NameError("name '' is not defined") (sys.stderr was lost: CPython could only dump the exception object)`,
    });
    // as the real cookbook's 8/implementing_the_visitor_pattern_without_recursion.example1 printed it under
    // iwasm 2.4.3: the traceback's frames, then the dump where its exception line would be
    const frames = '  File "./node.py", line 23, in visit\n    stack.append(self._visit(stack.pop()))\n\n';
    const cut = `Traceback (most recent call last):\n${frames}${frames}${stderr}`;
    const afterFrames = makeRecord({ code: W, msg: cut, wasm: { programStderr: cut, runtimeLines: [], exitCode: 1 } });
    expect(classifyFailure(afterFrames)).toMatchObject({
      kind: 'traceback',
      label: `NameError("name '' is not defined") (sys.stderr was lost: CPython could only dump the exception object)`,
    });
  });
});

describe('classifyFailure: other codes', () => {
  const compile = (logTail: string, extra: Partial<NonNullable<CaseRecord['compile']>> = {}) =>
    makeRecord({
      code: CaseErrorCode.COMPILATION_FAILURE,
      compile: {
        compiler: 'py2wasm',
        cached: false,
        exitCode: 1,
        timedOut: false,
        durationMs: 1,
        logTail,
        command: ['py2wasm'],
        ...extra,
      },
    });

  it('COMPILATION_FAILURE: the last specific error line of the compile log', () => {
    const log = [
      'Nuitka-Options: Used command line options: x.py --standalone',
      'wasm-ld: warning: unknown -z value: noexecstack',
      'wasm-ld: error: duplicate symbol: pthread_mutex_init',
      'wasm-ld: error: duplicate symbol: pthread_cond_wait',
      'clang: error: linker command failed with exit code 1 (use -v to see invocation)',
      'FATAL: Failed unexpectedly in Scons C backend compilation.',
    ].join('\n');
    expect(compileErrorLine(log)).toBe('wasm-ld: error: duplicate symbol: pthread_cond_wait');
    expect(classifyFailure(compile(log))).toMatchObject({
      kind: 'compile',
      label: 'wasm-ld: error: duplicate symbol: pthread_cond_wait',
    });
    expect(classifyFailure(compile("x.c:12:10: fatal error: 'pthread.h' file not found\n"))).toMatchObject({
      kind: 'compile',
      label: "x.c:N: fatal error: 'pthread.h' file not found",
    });
    expect(classifyFailure(compile('Nuitka-Scons:ERROR: something broke\nNuitka: done'))).toMatchObject({
      label: 'Nuitka-Scons:ERROR: something broke',
    });
    expect(classifyFailure(compile('FATAL: Failed unexpectedly in Scons C backend compilation.'))).toMatchObject({
      label: 'FATAL: Failed unexpectedly in Scons C backend compilation.',
    });
    // warnings alone are not errors
    expect(classifyFailure(compile('wasm-ld: warning: unknown -z value: noexecstack'))).toMatchObject({
      kind: 'other',
      label: 'unclassified: wasm-ld: warning: unknown -z value: noexecstack',
    });
    expect(classifyFailure(compile('', { timedOut: true }))).toMatchObject({
      kind: 'timeout',
      label: 'compile timed out',
    });
  });

  it('PY_EXECUTION_FAILURE: the final exception line of CPython stderr', () => {
    const r = makeRecord({
      code: CaseErrorCode.PY_EXECUTION_FAILURE,
      python: { exitCode: 1, stderr: readFixture('raise', 'cpython.stderr') },
    });
    expect(classifyFailure(r)).toMatchObject({
      kind: 'python',
      label: "ValueError: invalid literal for int() with base 10: 'N/A'",
    });
  });

  it('DIFFERENT_RESULT: the first differing line pair', () => {
    const diff = [
      '--- python',
      '+++ wasm',
      '@@ -1,4 +1,4 @@',
      ' same',
      "-{'platform': 'wasi', 'object': <object object at 0x7f00aa>}",
      '-second removed',
      "+{'platform': 'linux', 'object': <object object at 0xaa2030>}",
      ' same',
      '@@ -9,1 +9,1 @@',
      '-later',
      '+other',
    ].join('\n');
    expect(firstDiffPair(diff)).toBe(
      "-{'platform': 'wasi', 'object': <object object at 0x7f00aa>} / +{'platform': 'linux', 'object': <object object at 0xaa2030>}",
    );
    const r = makeRecord({ code: CaseErrorCode.DIFFERENT_RESULT, comparison: { equal: false, rulesFired: [], diff } });
    expect(classifyFailure(r)).toMatchObject({
      kind: 'diff',
      label:
        "-{'platform': 'wasi', 'object': <object object at 0x…>} / +{'platform': 'linux', 'object': <object object at 0x…>}",
    });
    expect(firstDiffPair('@@ -1 +1,2 @@\n a\n+added\n')).toBe('+added');
    expect(firstDiffPair('@@ -1,2 +1 @@\n a\n---- a removed line that looks like a header\n')).toBe(
      '---- a removed line that looks like a header',
    );
    expect(classifyFailure(makeRecord({ code: CaseErrorCode.DIFFERENT_RESULT }))).toMatchObject({
      kind: 'diff',
      label: 'outputs differ',
    });
  });

  it('DIFFERENT_RESULT: the comparison carries its first change; the diff text is not read again', () => {
    const expected = 'same\nold one\nold two\nsame\n' + 'x\n'.repeat(20) + 'later\n';
    const actual = 'same\nnew one\nsame\n' + 'x\n'.repeat(20) + 'other\n';
    const comparison = compareOutputs(expected, actual, [], { scratchDirs: [], scriptName: 'a.py' });
    expect(comparison.firstChange).toEqual({ removed: 'old one', added: 'new one' });
    expect(firstDiffPair(comparison.diff!)).toBe('-old one / +new one');
    // the structured first change wins over the text
    const r = makeRecord({
      code: CaseErrorCode.DIFFERENT_RESULT,
      comparison: { ...comparison, diff: '@@ -1 +1 @@\n-not this\n+nor this\n' },
    });
    expect(classifyFailure(r)).toMatchObject({ kind: 'diff', label: '-old one / +new one' });
    // outputs too different for an exact diff: the first differing lines all the same
    const costly = compareOutputs(
      'a\nb\n',
      'a\nc\n',
      [],
      { scratchDirs: [], scriptName: 'a.py' },
      { maxEditLength: 0 },
    );
    expect(costly.diff).toContain('outputs differ too much');
    expect(costly.firstChange).toEqual({ removed: 'b', added: 'c' });
    expect(firstDiffPair(costly.diff!)).toBe('-b / +c');
  });

  it('timeouts by stage', () => {
    expect(classifyFailure(makeRecord({ code: CaseErrorCode.WASM_EXECUTION_TIMEOUT }))).toMatchObject({
      kind: 'timeout',
      label: 'wasm run timed out',
    });
    expect(classifyFailure(makeRecord({ code: CaseErrorCode.PY_EXECUTION_TIMEOUT }))).toMatchObject({
      kind: 'timeout',
      label: 'python run timed out',
    });
  });

  it('labels a script that prints its usage and exits by the exit status and its last line, not as unclassified', () => {
    const argparse = makeRecord({
      code: CaseErrorCode.PY_EXECUTION_FAILURE,
      python: {
        exitCode: 2,
        stderr: 'usage: example.py [-h] FILE\nexample.py: error: the following arguments are required: FILE\n',
      },
      msg: 'usage: example.py [-h] FILE\nexample.py: error: the following arguments are required: FILE',
    });
    expect(classifyFailure(argparse)).toMatchObject({
      kind: 'python',
      label: 'exit status 2: example.py: error: the following arguments are required: FILE',
    });
    const printed = makeRecord({
      code: CaseErrorCode.PY_EXECUTION_FAILURE,
      python: { exitCode: 1, stdout: 'usage: example.py INPUT OUTPUT\n' },
      msg: 'usage: example.py INPUT OUTPUT',
    });
    expect(classifyFailure(printed)).toMatchObject({
      kind: 'python',
      label: 'exit status 1: usage: example.py INPUT OUTPUT',
    });
  });

  it('drops where the interpreter lives from paths in labels, as the comparison does, so CPython and the wasm group together', () => {
    const tb = (prefix: string) =>
      `Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nImportError: cannot import name 'Iterable' from 'collections' (${prefix}/lib/python3.11/collections/__init__.py)\n`;
    const cpython = makeRecord({
      code: CaseErrorCode.PY_EXECUTION_FAILURE,
      python: { exitCode: 1, stderr: tb('/usr') },
    });
    const wasm = makeRecord({
      code: W,
      wasm: {
        programStderr: tb('/opt/py2wasm/venv/lib/python3.11/site-packages/nuitka/wasi-python'),
        runtimeLines: [],
        exitCode: 1,
      },
    });
    const expected = "ImportError: cannot import name 'Iterable' from 'collections' (collections/__init__.py)";
    expect(classifyFailure(cpython).label).toBe(expected);
    expect(classifyFailure(wasm).label).toBe(expected);
  });

  it('never throws on records with missing or malformed fields', () => {
    const broken = [
      { code: W } as unknown as CaseRecord,
      { code: W, wasm: {} } as unknown as CaseRecord,
      { code: W, wasm: { trap: {} } } as unknown as CaseRecord,
      {
        code: W,
        wasm: { runtimeLines: [null, 3], programStderr: 'Traceback (most recent call last):\nKeyError: 1' },
      } as unknown as CaseRecord,
      { code: CaseErrorCode.COMPILATION_FAILURE, compile: { logTail: null } } as unknown as CaseRecord,
      { code: CaseErrorCode.PY_EXECUTION_FAILURE, python: { stderr: null } } as unknown as CaseRecord,
      { code: CaseErrorCode.DIFFERENT_RESULT, comparison: { diff: 42 } } as unknown as CaseRecord,
      { code: 99, msg: 'weird\n' } as unknown as CaseRecord,
      {} as unknown as CaseRecord,
    ];
    const keys = broken.map((r) => classifyFailure(r));
    expect(keys.map((k) => `${k.kind}: ${k.label}`)).toEqual([
      'other: unclassified: (no output)',
      'other: unclassified: (no output)',
      'trap: other',
      'traceback: KeyError: 1',
      'other: unclassified: (no output)',
      'other: unclassified: (no output)',
      'diff: outputs differ',
      'other: unclassified: weird',
      'other: unclassified: (no output)',
    ]);
    expect(() => groupFailures(broken)).not.toThrow();
    expect(groupFailures(broken).reduce((n, g) => n + g.count, 0)).toBe(broken.length);
  });
});

describe('groupFailures', () => {
  function seedLike(target = 'py2wasm+iwasm'): CaseRecord[] {
    const tb = (chapter: string, recipe: string, prog: string) => ({
      ...tracebackRecord(prog),
      chapter,
      recipe,
      case: `${recipe}.example`,
      target: recordTargetOf(target),
    });
    const trap = (chapter: string, recipe: string) => ({
      ...trapRecord('wraps', target, 'indirect call type mismatch', 'Exception: indirect call type mismatch', {
        stdout: readFixture('wraps', 'iwasm.stdout'),
      }),
      chapter,
      recipe,
      case: `${recipe}.test`,
    });
    return [
      tb('12', 'launching_a_daemon_thread', 'thread_subclass'),
      tb('12', 'communicating_between_threads', 'thread_subclass'),
      tb('12', 'locking_critical_sections', 'thread_subclass'),
      tb('11', 'getaddrinfo_a', 'getaddrinfo'),
      tb('11', 'getaddrinfo_b', 'getaddrinfo'),
      tb('12', 'asyncio_thing', 'asyncio_run'),
      trap('14', 'logging_test_output_to_a_file'),
      trap('14', 'testing_for_exceptional_conditions_in_unit_tests'),
      makeRecord({ chapter: '1', recipe: 'fine', code: CaseErrorCode.OK, target }),
      makeRecord({
        chapter: '1',
        recipe: 'skipped',
        code: CaseErrorCode.BYPASS,
        bypassReason: 'needs network',
        target,
      }),
    ];
  }

  it('counts and lists cases per group, largest first, leaving OK and BYPASS out', () => {
    const groups = groupFailures(seedLike());
    expect(groups.map((g) => [g.key.kind, g.key.label, g.count])).toEqual([
      ['traceback', "RuntimeError: can't start new thread", 3],
      ['trap', 'indirect call type mismatch', 2],
      ['traceback', "AttributeError: module '_socket' has no attribute 'getaddrinfo'", 2],
      ['traceback', 'OSError: [Errno 58] Not supported', 1],
    ]);
    expect(groups[1]!.cases).toEqual([
      '14/logging_test_output_to_a_file.test',
      '14/testing_for_exceptional_conditions_in_unit_tests.test',
    ]);
    expect(groups.every((g) => g.key.target === undefined)).toBe(true);
    expect(new Set(groups.map((g) => g.id)).size).toBe(groups.length);
  });

  it('merges messages that differ only by addresses', () => {
    const rec = (addr: string, recipe: string) =>
      makeRecord({
        recipe,
        code: W,
        msg: `Traceback (most recent call last):\n  File "./a.py", line ${addr.length}, in <module>\nTypeError: <object object at ${addr}> is not callable`,
      });
    const groups = groupFailures([rec('0xaa2030', 'a'), rec('0x7fa140', 'b'), rec('0x7f0000001', 'c')]);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ count: 3, key: { label: 'TypeError: <object object at 0x…> is not callable' } });
  });

  it('splits per target when several targets ran, and pools them on request', () => {
    const records = [...seedLike('py2wasm+iwasm'), ...seedLike('py2wasm+node')];
    const split = groupFailures(records);
    expect(split).toHaveLength(8);
    expect(
      split.filter((g) => g.key.label === "RuntimeError: can't start new thread").map((g) => [g.key.target, g.count]),
    ).toEqual([
      ['py2wasm+iwasm', 3],
      ['py2wasm+node', 3],
    ]);
    const pooled = groupFailures(records, { perTarget: false });
    expect(pooled).toHaveLength(4);
    expect(pooled[0]).toMatchObject({ count: 6, targets: ['py2wasm+iwasm', 'py2wasm+node'] });
    expect(pooled[0]!.key).not.toHaveProperty('target');
    expect(pooled[0]!.cases).toHaveLength(3);
  });

  it("splits a group by how the cases' --debug builds failed, when that differs from the plain failure", () => {
    const debug = (failure: string | undefined, differs = true) =>
      failure === undefined
        ? {}
        : {
            diagnosis: {
              groupKey: 'g',
              diagnosedCase: 'x',
              inherited: false,
              results: [
                {
                  kind: 'debug-build' as const,
                  status: 'ok' as const,
                  durationMs: 1,
                  cached: false,
                  data: { differs, failure, codeName: 'WASM_EXECUTION_FAILURE' as const, exitCode: 1 },
                },
              ],
            },
          };
    const assertion = 'Assertion failed: current (nuitka/build/static_src/MetaPathBasedLoader.c: findEntry: 244)';
    const records = [
      { ...tracebackRecord('urllib_import'), recipe: 'client', case: 'client.example1', ...debug(assertion) },
      {
        ...tracebackRecord('urllib_import'),
        recipe: 'hooks',
        case: 'hooks.urlimport',
        ...debug("ModuleNotFoundError: No module named 'email.utils'", false),
      },
      { ...tracebackRecord('urllib_import'), recipe: 'plain', case: 'plain.example1' },
    ];
    const groups = groupFailures(records);
    expect(groups.map((g) => [g.key.label, g.key.debugFailure, g.cases.length])).toEqual([
      ["ModuleNotFoundError: No module named 'email.utils'", undefined, 2],
      ["ModuleNotFoundError: No module named 'email.utils'", assertion, 1],
    ]);
    expect(groups[1]!.cases).toEqual(['1/client.example1']);
  });
});
