import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TopLevelDecls } from '../../src/fix/signature/json-decls.ts';
import { methodCallType } from '../../src/fix/signature/cast-sites.ts';
import { parseCastWarning } from '../../src/fix/signature/clang-sweep.ts';
import { formatSignature, lowerFunctionType, lowerType, parseFunctionType } from '../../src/fix/signature/lowering.ts';
import { sweepPackage } from '../../src/fix/signature/sweep.ts';
import { skipWithout } from '../helpers/needs.ts';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/static-src/nuitka');
const CLANG = '/usr/lib/llvm-19/bin/clang';

describe('lowering C function types to wasm signatures', () => {
  const sig = (spelling: string) => formatSignature(lowerFunctionType(parseFunctionType(spelling)));

  it("lowers what clang spells canonically (its diagnostics' aka types)", () => {
    expect(sig('struct _object *(*)(struct Nuitka_FunctionObject *)')).toBe('(i32) -> i32');
    expect(sig('struct _object *(*)(struct _object *, void *)')).toBe('(i32, i32) -> i32');
    expect(sig('int (*)(struct _object *, struct _object *, void *)')).toBe('(i32, i32, i32) -> i32');
    expect(sig('void (*)(struct _object *)')).toBe('(i32) -> nil');
    expect(sig('long long (*)(double, float, long, _Bool)')).toBe('(f64, f32, i32, i32) -> i64');
    expect(sig('int (*)(void)')).toBe('() -> i32');
    expect(sig('struct _object *(*)(struct _object *, int (*)(struct _object *, void *), void *)')).toBe(
      '(i32, i32, i32) -> i32',
    );
  });

  it('tells a harmless pointer difference from a missing parameter', () => {
    const from = 'struct _object *(*)(struct Nuitka_FunctionObject *, void *)';
    expect(sig(from)).toBe(sig('struct _object *(*)(struct _object *, void *)'));
    expect(lowerType('const char *')).toEqual(['i32']);
    expect(lowerType('unsigned long long')).toEqual(['i64']);
  });

  it('reads a -Wcast-function-type-strict warning with and without aka types', () => {
    expect(
      parseCastWarning(
        "/p/CompiledFunctionType.c:561:30: warning: cast from 'PyObject *(*)(struct Nuitka_FunctionObject *)' (aka 'struct _object *(*)(struct Nuitka_FunctionObject *)') to 'getter' (aka 'struct _object *(*)(struct _object *, void *)') converts to incompatible function type [-Wcast-function-type-strict]",
      ),
    ).toEqual({
      file: '/p/CompiledFunctionType.c',
      line: 561,
      col: 30,
      from: 'struct _object *(*)(struct Nuitka_FunctionObject *)',
      to: 'getter',
      toCanonical: 'struct _object *(*)(struct _object *, void *)',
    });
    expect(
      parseCastWarning(
        "a.c:1:2: warning: cast from 'void (*)(int)' to 'void (*)(void)' converts to incompatible function type",
      )?.from,
    ).toBe('void (*)(int)');
  });

  it('calls a PyCFunction by its METH_* flags, as CPython 3.11 does', () => {
    expect(formatSignature(lowerFunctionType(methodCallType(0x4)!.type))).toBe('(i32, i32) -> i32');
    expect(formatSignature(lowerFunctionType(methodCallType(0x1 | 0x2)!.type))).toBe('(i32, i32, i32) -> i32');
    expect(formatSignature(lowerFunctionType(methodCallType(0x80 | 0x2)!.type))).toBe('(i32, i32, i32, i32) -> i32');
  });
});

describe("splitting clang's JSON AST into top-level declarations", () => {
  it('finds each declaration whatever the chunks, strings with braces included', () => {
    const json = JSON.stringify({
      kind: 'TranslationUnitDecl',
      loc: {},
      range: { begin: {}, end: {} },
      inner: [
        { kind: 'A', name: 'x{[' },
        { kind: 'B', inner: [{ kind: 'C', value: '"}' }] },
      ],
    });
    for (const size of [1, 3, 7, json.length]) {
      const seen: string[] = [];
      const split = new TopLevelDecls((t) => seen.push((JSON.parse(t) as { kind: string }).kind));
      for (let i = 0; i < json.length; i += size) split.push(Buffer.from(json.slice(i, i + size)));
      expect(seen).toEqual(['A', 'B']);
      expect(split.incomplete).toBe(false);
    }
  });
});

describe.skipIf(skipWithout(existsSync(CLANG) ? [] : ['clang-19 (apt-get install -y clang-19)']))(
  'the signature sweep on excerpts of py2wasm 2.6.3 static_src (real clang)',
  () => {
    let dir: string;
    beforeAll(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fix-sweep-'));
      await fs.mkdir(path.join(dir, 'sdk', 'bin'), { recursive: true });
      // an SDK of one wrapper: the excerpts include no system header, so no sysroot is needed
      await fs.writeFile(
        path.join(dir, 'sdk', 'bin', 'clang'),
        `#!/bin/sh\nexec ${CLANG} --target=wasm32-wasi "$@"\n`,
        {
          mode: 0o755,
        },
      );
    });
    afterAll(() => fs.rm(dir, { recursive: true, force: true }));

    it('keeps the casts that trap in wasm, gives their functions the missing parameters and their callers NULL', async () => {
      const sweep = await sweepPackage({ packageDir: FIXTURE, wasiSdkDir: path.join(dir, 'sdk'), cacheDir: dir });
      expect(sweep.counts).toMatchObject({ found: 8, failing: 5, changed: 5, skipped: [] });
      const harmless = sweep.sites.filter((s) => s.traps === false).map((s) => `${s.callee}: ${s.note ?? s.to}`);
      expect(harmless).toEqual([
        'Nuitka_Function_get_doc: getter',
        'Nuitka_Method_reduce_ex: METH_VARARGS: called as meth(self, args)',
        'Nuitka_Method_deepcopy: METH_O: called as meth(self, arg)',
      ]);
      const after = Object.fromEntries(sweep.changes.map((c) => [c.path, c.after]));
      expect(Object.keys(after)).toEqual([
        'nuitka/build/static_src/CompiledFunctionType.c',
        'nuitka/build/static_src/CompiledMethodType.c',
      ]);
      const fn = after['nuitka/build/static_src/CompiledFunctionType.c']!;
      expect(fn).toContain(
        'static PyObject *Nuitka_Function_get_name(struct Nuitka_FunctionObject *function, void *data) {',
      );
      expect(fn).toContain(
        'static int Nuitka_Function_set_name(struct Nuitka_FunctionObject *function, PyObject *value, void *data) {',
      );
      expect(fn).toContain(
        'static PyObject *Nuitka_Function_reduce(struct Nuitka_FunctionObject *function, PyObject *unused) {',
      );
      expect(fn).toContain('Nuitka_Function_get_doc(struct Nuitka_FunctionObject *function, void *closure) {'); // untouched
      const method = after['nuitka/build/static_src/CompiledMethodType.c']!;
      expect(method).toContain('return Nuitka_Method_reduce(method, NULL);');
      expect(method).toContain('Nuitka_Method_reduce_ex(struct Nuitka_MethodObject *method, PyObject *args) {');
      // only those lines changed: every other line is as it was
      const before = await fs.readFile(path.join(FIXTURE, 'build/static_src/CompiledMethodType.c'), 'utf8');
      const changedLines = method.split('\n').filter((l, i) => l !== before.split('\n')[i]);
      expect(changedLines).toEqual([
        'static PyObject *Nuitka_Method_reduce(struct Nuitka_MethodObject *method, PyObject *unused) {',
        '    return Nuitka_Method_reduce(method, NULL);',
      ]);
      expect(sweep.counts.scope[0]).toMatch(
        /MainProgram\.c \(0 errors\) and CompiledFunctionType\.c \(0 errors\).*read 3 of its 3 \.c files/,
      );
    });
  },
);
