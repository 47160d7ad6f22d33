import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderRulesDoc, RULES_DOC } from '../../scripts/rules-doc.ts';
import type { NormalizationOptions } from '../../src/config/cookbook-options.ts';
import { compareOutputs, DIFF_LABELS } from '../../src/compare/compare.ts';
import {
  BUILTIN_RULES,
  normalize,
  NormalizationConfigError,
  resolveRules,
  type NormalizeContext,
} from '../../src/normalize/normalize.ts';

// Real outputs from the py2wasm reference captures (py2wasm 2.6.3, CPython 3.11.7): CPython's stdout
// and the same program compiled by py2wasm and run under node / iwasm. In the CPython captures the
// run directory reads `$RUN/<prog>/cpython`.
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'py2wasm');
const read = (prog: string, file: string) => fs.readFileSync(path.join(FIXTURES, prog, file), 'utf8');
const ctxFor = (prog: string): NormalizeContext => ({
  scratchDirs: [`$RUN/${prog}/cpython`],
  scriptName: `${prog}.py`,
});

const DEFAULT_RULES = resolveRules();

/** The `-`/`+` lines of a unified diff (headers excluded). */
function changedLines(diff: string | undefined): { removed: string[]; added: string[] } {
  const lines = (diff ?? '').split('\n');
  return {
    removed: lines.filter((l) => l.startsWith('-') && !l.startsWith('--- ')).map((l) => l.slice(1)),
    added: lines.filter((l) => l.startsWith('+') && !l.startsWith('+++ ')).map((l) => l.slice(1)),
  };
}

describe('normalization on real py2wasm outputs', () => {
  it('hello: equal after normalization, only because of script-name (argv[0] is the wasm)', () => {
    const expected = read('hello', 'cpython.stdout');
    for (const run of ['node.stdout', 'iwasm.stdout']) {
      const actual = read('hello', run);
      expect(actual).not.toBe(expected);
      const c = compareOutputs(expected, actual, DEFAULT_RULES, ctxFor('hello'));
      expect(c).toEqual({ equal: true, rulesFired: ['script-name'] });

      const without = compareOutputs(expected, actual, resolveRules({ disable: ['script-name'] }), ctxFor('hello'));
      expect(without.equal).toBe(false);
      expect(changedLines(without.diff)).toEqual({
        removed: ["info: {'platform': 'linux', 'version': (3, 11, 7), 'argv': ['hello.py']}"],
        added: ["info: {'platform': 'linux', 'version': (3, 11, 7), 'argv': ['hello.wasm']}"],
      });
    }
  });

  it('nondeterministic: only the documented real differences remain (hash, run-time platform and version)', () => {
    const expected = read('nondeterministic', 'cpython.stdout');
    for (const run of ['node.stdout', 'iwasm.stdout', 'node-2.stdout', 'iwasm-2.stdout']) {
      const actual = read('nondeterministic', run);
      const raw = compareOutputs(expected, actual, [], ctxFor('nondeterministic'));
      expect(changedLines(raw.diff).removed.length).toBe(7); // all lines but the folded `sys.platform: linux` differ

      const c = compareOutputs(expected, actual, DEFAULT_RULES, ctxFor('nondeterministic'));
      expect(c.equal).toBe(false);
      expect(c.rulesFired).toEqual(['object-address', 'timing', 'set-order']);
      const { removed, added } = changedLines(c.diff);
      expect(removed).toEqual([
        "hash('x') % 1000: 172",
        "getattr(sys, 'platform'): linux",
        'sys.version_info[:3]: (3, 11, 7) via getattr: (3, 11, 7)',
      ]);
      expect(added.map((l) => l.replace(/^hash\('x'\) % 1000: \d+$/, 'HASH'))).toEqual([
        'HASH',
        "getattr(sys, 'platform'): wasi",
        'sys.version_info[:3]: (3, 11, 7) via getattr: (3, 11, 8)',
      ]);

      // The opt-in rules remove the platform/version differences; hash() stays (random on both sides).
      const opt = compareOutputs(
        expected,
        actual,
        resolveRules({ enable: ['sys-platform', 'python-version'] }),
        ctxFor('nondeterministic'),
      );
      expect(opt.rulesFired).toEqual(['object-address', 'timing', 'set-order', 'sys-platform', 'python-version']);
      expect(changedLines(opt.diff).removed).toEqual(["hash('x') % 1000: 172"]);
    }
  });

  it('nondeterministic: two wasm runs differ only in hash() once the set order is canonical', () => {
    const a = read('nondeterministic', 'node.stdout');
    const b = read('nondeterministic', 'node-2.stdout');
    const c = compareOutputs(a, b, DEFAULT_RULES, ctxFor('nondeterministic'));
    expect(c.rulesFired).toContain('set-order');
    expect(changedLines(c.diff).removed).toEqual(["hash('x') % 1000: 543"]);
    const noSets = compareOutputs(a, b, resolveRules({ disable: ['set-order'] }), ctxFor('nondeterministic'));
    expect(changedLines(noSets.diff).removed).toHaveLength(2);
  });

  it('files: __file__ and the listing match; only os.getcwd() (`/` in the wasm) remains', () => {
    const expected = read('files', 'cpython.stdout');
    for (const run of ['node.stdout', 'iwasm.stdout']) {
      const c = compareOutputs(expected, read('files', run), DEFAULT_RULES, ctxFor('files'));
      expect(c.rulesFired).toEqual(['scratch-dir', 'wasm-relative-path', 'script-name']);
      expect(changedLines(c.diff)).toEqual({ removed: ['cwd: <scratch>'], added: ['cwd: /'] });
      const n = normalize(read('files', run), DEFAULT_RULES, ctxFor('files')).text;
      expect(n).toContain('__file__: <scratch>/files.py\n');
      expect(n).toContain("listdir: ['files.py', 'input.txt', 'written.txt']\n");
    }
  });

  it('raise: stdout is identical; the tracebacks match after traceback-paths and traceback-source', () => {
    expect(
      compareOutputs(read('raise', 'cpython.stdout'), read('raise', 'node.stdout'), DEFAULT_RULES, ctxFor('raise')),
    ).toEqual({
      equal: true,
      rulesFired: [],
    });
    const cpythonTb = read('raise', 'cpython.stderr');
    const nodeTb = read('raise', 'node.stderr').replace(
      /^\(node:\d+\) ExperimentalWarning.*\n\(Use `node --trace-warnings.*\n/,
      '',
    );
    for (const wasmTb of [nodeTb, read('raise', 'iwasm.stderr'), read('raise', 'iwasm-src.stderr')]) {
      const c = compareOutputs(cpythonTb, wasmTb, DEFAULT_RULES, ctxFor('raise'));
      expect(c.equal).toBe(true);
      expect(c.rulesFired).toEqual(['traceback-paths', 'traceback-source']);
    }
    expect(normalize(cpythonTb, DEFAULT_RULES, ctxFor('raise')).text).toBe(
      [
        'Traceback (most recent call last):',
        '  File "raise.py", line 13, in <module>',
        '  File "raise.py", line 8, in main',
        '  File "raise.py", line 2, in parse',
        "ValueError: invalid literal for int() with base 10: 'N/A'",
        '',
      ].join('\n'),
    );
    const noSource = compareOutputs(
      cpythonTb,
      nodeTb,
      resolveRules({ disable: ['traceback-source'] }),
      ctxFor('raise'),
    );
    expect(noSource.equal).toBe(false);
  });

  it('normalization is idempotent on the fixtures', () => {
    const all = resolveRules({ enable: ['dict-order', 'sys-platform', 'python-version', 'hex-id'] });
    for (const [prog, file] of [
      ['nondeterministic', 'cpython.stdout'],
      ['nondeterministic', 'node.stdout'],
      ['files', 'iwasm.stdout'],
      ['raise', 'cpython.stderr'],
      ['hello', 'node.stdout'],
    ] as const) {
      const once = normalize(read(prog, file), all, ctxFor(prog)).text;
      expect(normalize(once, all, ctxFor(prog))).toEqual({ text: once, fired: [] });
    }
  });
});

describe('built-in rules', () => {
  const ctx: NormalizeContext = { scratchDirs: ['/srv/run1'], scriptName: 'example1.py' };
  const apply = (name: string, text: string, c: NormalizeContext = ctx) =>
    normalize(text, resolveRules({ only: [name] }), c).text;

  it('object-address', () => {
    expect(apply('object-address', '<object object at 0x7f6d89ece850> <__main__.T object at 0x11cc3a0>')).toBe(
      '<object object at 0xADDR> <__main__.T object at 0xADDR>',
    );
    expect(apply('object-address', 'arrived at 5 pm, at 0xZZ')).toBe('arrived at 5 pm, at 0xZZ');
  });

  it("compiled-types makes Nuitka's reprs read like CPython's", () => {
    const cpython =
      "<function area at 0x7f4391d79bc0> <class 'function'> <bound method A.m of <__main__.A object at 0x7f0>> <generator object g at 0x7f1>";
    const wasm =
      "<compiled_function area at 0x11cc3a0> <class 'compiled_function'> <bound compiled_method A.m of <__main__.A object at 0xaa2150>> <compiled_generator object g at 0xaa2>";
    expect(compareOutputs(cpython, wasm, DEFAULT_RULES, ctx)).toEqual({
      equal: true,
      rulesFired: ['object-address', 'compiled-types'],
    });
    expect(apply('compiled-types', 'compiled_functions compiled_async_generator_asend')).toBe(
      'compiled_functions async_generator_asend',
    );
  });

  it('set-order sorts sets of literals and never touches dicts', () => {
    expect(apply('set-order', "colors: {'red', 'blue', 'green'}")).toBe("colors: {'blue', 'green', 'red'}");
    expect(apply('set-order', "frozenset({'z', 'x', 'y'})")).toBe("frozenset({'x', 'y', 'z'})");
    expect(apply('set-order', "{('b', 2), ('a', 1)} {3.5, -1, None, b'x'}")).toBe(
      "{('a', 1), ('b', 2)} {-1, 3.5, None, b'x'}",
    );
    // strings holding separators and braces are parsed as strings
    expect(apply('set-order', "{'z, y', 'a}', \"it's\"}")).toBe("{\"it's\", 'a}', 'z, y'}");
    // dicts: untouched; a set inside a dict: sorted in place
    expect(apply('set-order', "{'b': 1, 'a': 2}")).toBe("{'b': 1, 'a': 2}");
    expect(apply('set-order', "{'k': {'b', 'a'}, 'j': [{'d', 'c'}]}")).toBe("{'k': {'a', 'b'}, 'j': [{'c', 'd'}]}");
    // not sets of literals: left as printed
    for (const s of [
      '{Point(1, 2), Point(0, 0)}',
      '{name}, {value}',
      'set()',
      "{'a', 'b'",
      '{1, 2,3}',
      '{<Color.RED: 1>, <Color.BLUE: 2>}',
    ]) {
      expect(apply('set-order', s)).toBe(s);
    }
  });

  it('dict-order (opt-in) sorts dicts of literals', () => {
    expect(resolveRules().map((r) => r.name)).not.toContain('dict-order');
    expect(apply('dict-order', "{'b': 1, 'a': (2, 3)}")).toBe("{'a': (2, 3), 'b': 1}");
    expect(apply('dict-order', "{'b': [1], 'a': 2}")).toBe("{'b': [1], 'a': 2}");
  });

  it('timing and timestamp', () => {
    expect(apply('timing', 'Ran 3 tests in 0.004s')).toBe('Ran 3 tests in <T>s');
    expect(
      apply('timing', 'took 0.000229 s; 12.5ms; 25.3 usec per loop; 450 ns; elapsed: 2.2866e-05; Delta = 1.5'),
    ).toBe('took <T> s; <T>ms; <T> usec per loop; <T> ns; elapsed: <T>; Delta = <T>');
    for (const s of [
      'pi is 3.14 so',
      'version 3.11 is out',
      'count: 5',
      'sleeping 3 seconds',
      'costs 2.50 usd',
      'lifetime: 2.5',
    ]) {
      expect(apply('timing', s)).toBe(s);
    }
    expect(apply('timestamp', 'started at 2026-11-24 18:09:33.205562, epoch 1764007773.2055')).toBe(
      'started at <timestamp>, epoch <epoch>',
    );
    expect(apply('timestamp', 'datetime.datetime(2024, 5, 1, 12, 3, 4, 5678)')).toBe('datetime.datetime(<timestamp>)');
    expect(apply('timestamp', '2012-12-21 00:00:00 datetime.datetime(2012, 12, 21, 0, 0)')).toBe(
      '2012-12-21 00:00:00 datetime.datetime(2012, 12, 21, 0, 0)',
    );
  });

  it('scratch-dir respects name boundaries and ignores `/` and `.`', () => {
    const c: NormalizeContext = { scratchDirs: ['/srv/run1/', '/', '.', '/srv/run1/wasm'], scriptName: 'x.py' };
    expect(apply('scratch-dir', '/srv/run1/x.py /srv/run10/x.py /srv/run1/wasm/out /srv/run1', c)).toBe(
      '<scratch>/x.py /srv/run10/x.py <scratch>/out <scratch>',
    );
  });

  it('wasm-relative-path, script-name, module-repr, did-you-mean, tempfile-names, local-port, thread-ident', () => {
    expect(apply('wasm-relative-path', "__file__: ./example1.py ('./data.txt') ../up.py .//x")).toBe(
      "__file__: <scratch>/example1.py ('<scratch>/data.txt') ../up.py .//x",
    );
    expect(apply('script-name', "['example1.wasm', 'my_example1.wasm']")).toBe("['example1.py', 'my_example1.wasm']");
    expect(apply('script-name', "['out.wasm']", { ...ctx, wasmName: '/some/dir/out.wasm' })).toBe("['example1.py']");
    expect(
      apply('module-repr', "<module 'os' (frozen)> <module 'helper' from './helper.py'> <module 'sys' (built-in)>"),
    ).toBe("<module 'os' from '<path>'> <module 'helper' from '<path>'> <module 'sys' (built-in)>");
    expect(apply('did-you-mean', "NameError: name 'pritn' is not defined. Did you mean: 'print'?")).toBe(
      "NameError: name 'pritn' is not defined",
    );
    expect(apply('tempfile-names', '/tmp/tmpa1b_c9zq/file tmpshort')).toBe('/tmp/tmpXXXXXXXX/file tmpshort');
    expect(apply('local-port', "127.0.0.1:54321 ('127.0.0.1', 40000)")).toBe("127.0.0.1:<port> ('127.0.0.1', <port>)");
    expect(apply('thread-ident', '<Thread(Thread-1, started daemon 140234567)> Thread 0x00007f12')).toBe(
      '<Thread(Thread-1, started daemon <ident>)> Thread 0xTHREAD',
    );
  });

  it('traceback-source drops only what belongs to a frame', () => {
    const text = [
      'Traceback (most recent call last):',
      '  File "x.py", line 3, in <module>',
      '    f()',
      '    ~^^',
      '',
      'ValueError: bad',
      '',
      'next',
    ].join('\n');
    expect(apply('traceback-source', text)).toBe(
      ['Traceback (most recent call last):', '  File "x.py", line 3, in <module>', 'ValueError: bad', '', 'next'].join(
        '\n',
      ),
    );
  });

  it('every built-in rule is documented in RULES.md', () => {
    const doc = fs.readFileSync(
      path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'normalize', 'RULES.md'),
      'utf8',
    );
    for (const r of BUILTIN_RULES) {
      expect(doc, r.name).toContain(`| \`${r.name}\` |`);
      expect(r.description.length).toBeGreaterThan(20);
    }
  });

  it('RULES.md is the one the rules generate (npm run rules-doc)', () => {
    const doc = fs.readFileSync(RULES_DOC, 'utf8');
    expect(doc, 'src/normalize/RULES.md is out of date: run npm run rules-doc').toBe(renderRulesDoc());
    // every rule's own row, in rule order
    const rows = [...doc.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual(
      [...BUILTIN_RULES.filter((r) => r.defaultEnabled), ...BUILTIN_RULES.filter((r) => !r.defaultEnabled)].map(
        (r) => r.name,
      ),
    );
    expect(renderRulesDoc([{ ...BUILTIN_RULES[0]!, rewrites: 'changed' }])).not.toBe(doc);
  });
});

describe('resolveRules', () => {
  it('defaults, enable, disable, only, extras in order', () => {
    const names = (rules: { name: string }[]) => rules.map((r) => r.name);
    const defaults = names(resolveRules());
    expect(defaults).toEqual(BUILTIN_RULES.filter((r) => r.defaultEnabled).map((r) => r.name));
    expect(defaults).not.toContain('sys-platform');
    expect(names(resolveRules({ disable: ['timing', 'set-order'] }))).toEqual(
      defaults.filter((n) => n !== 'timing' && n !== 'set-order'),
    );
    expect(names(resolveRules({ enable: ['hex-id'] }))).toEqual([...defaults, 'hex-id']);
    expect(names(resolveRules({ only: ['set-order', 'sys-platform', 'object-address'] }))).toEqual([
      'object-address',
      'set-order',
      'sys-platform',
    ]);
    const extra = [
      { name: 'pids', pattern: 'pid \\d+', replacement: 'pid N' },
      { name: 'upper', pattern: 'HELLO', flags: 'i', replacement: 'hello' },
    ];
    expect(names(resolveRules({ only: [], extra }))).toEqual(['pids', 'upper']);
    expect(names(resolveRules({ extra, disable: ['pids'] }))).toEqual([...defaults, 'upper']);
  });

  it('user rules survive a JSON round trip and replace globally', () => {
    const config = JSON.parse(
      JSON.stringify({
        only: [],
        extra: [{ name: 'pids', pattern: 'pid (\\d+)', flags: 'm', replacement: 'pid <$1>' }],
      }),
    ) as NormalizationOptions;
    const rules = resolveRules(config);
    expect(normalize('pid 12 and pid 345', rules, { scratchDirs: [], scriptName: 'x.py' })).toEqual({
      text: 'pid <12> and pid <345>',
      fired: ['pids'],
    });
  });

  it('rejects unknown names and bad rules', () => {
    expect(() => resolveRules({ disable: ['timings'] })).toThrow(NormalizationConfigError);
    expect(() => resolveRules({ only: ['nope'] })).toThrow(/unknown normalization rule 'nope' in only/);
    expect(() => resolveRules({ enable: ['pids'], extra: [{ name: 'pids', pattern: 'x', replacement: '' }] })).toThrow(
      NormalizationConfigError,
    );
    expect(() => resolveRules({ extra: [{ name: 'bad', pattern: '(', replacement: '' }] })).toThrow(/extra rule 'bad'/);
    expect(() => resolveRules({ extra: [{ name: 'timing', pattern: 'x', replacement: '' }] })).toThrow(/built-in/);
    expect(() =>
      resolveRules({
        extra: [
          { name: 'a', pattern: 'x', replacement: '' },
          { name: 'a', pattern: 'y', replacement: '' },
        ],
      }),
    ).toThrow(/twice/);
  });
});

describe('compareOutputs diff', () => {
  const ctx: NormalizeContext = { scratchDirs: [], scriptName: 'x.py' };

  it('is a unified diff labelled cpython / wasm', () => {
    const c = compareOutputs('a\nb\nc\n', 'a\nB\nc\n', [], ctx);
    expect(c.equal).toBe(false);
    expect(c.diff).toBe(`--- ${DIFF_LABELS.expected}\n+++ ${DIFF_LABELS.actual}\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n`);
  });

  it('is capped in size and line length', () => {
    const a = Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n');
    const b = Array.from({ length: 500 }, (_, i) => `LINE ${i}`).join('\n');
    const c = compareOutputs(a, b, [], ctx, { maxLines: 50 });
    expect(c.diff!.split('\n').length).toBeLessThanOrEqual(52);
    expect(c.diff).toMatch(/… diff truncated: \d+ more lines\n$/);
    const long = compareOutputs('x'.repeat(10_000), 'y'.repeat(10_000), [], ctx);
    expect(long.diff!.length).toBeLessThan(2_000);
    expect(long.diff).toContain('more characters]');
  });

  it('falls back to the first difference when an exact diff is too costly', () => {
    const a = Array.from({ length: 2000 }, (_, i) => `a ${i}`).join('\n');
    const b = Array.from({ length: 2000 }, (_, i) => (i < 10 ? `a ${i}` : `b ${i}`)).join('\n');
    const c = compareOutputs(a, b, [], ctx, { maxEditLength: 5 });
    expect(c.diff).toContain('first difference at line 11');
    expect(c.diff).toContain(' a 9\n-a 10\n-a 11\n');
    expect(c.diff).toContain('+b 10\n+b 11\n');
    expect(c.diff!.split('\n').length).toBeLessThan(220);
    // a large, completely different output is still answered quickly
    const big1 = Array.from({ length: 60_000 }, (_, i) => `row ${i}`).join('\n');
    const big2 = Array.from({ length: 60_000 }, (_, i) => `ROW ${i * 7}`).join('\n');
    const t0 = Date.now();
    const d = compareOutputs(big1, big2, [], ctx);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(d.diff).toContain('first difference at line 1;');
  });
});
