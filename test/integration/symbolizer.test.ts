import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIwasmOutput } from '../../src/parse/iwasm-output.ts';
import { parseNodeWasiOutput } from '../../src/parse/node-output.ts';
import { parseWasmModule } from '../../src/parse/wasm-sections.ts';
import { runProcess } from '../../src/process/run.ts';
import {
  NOTE_FAST_INTERP,
  NOTE_NO_DWARF,
  symbolizeFrames,
  symbolizePerFrame,
  type SymbolizedFrame,
} from '../../src/tools/symbolizer.ts';
import { truncationMarker } from '../../src/parse/truncation.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import type { RawFrame } from '../../src/types.ts';
import { skipOutsideCI, skipWithout } from '../helpers/needs.ts';

// Debian: clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 llvm-19
const CLANG = 'clang-19';
const SYMBOLIZER = 'llvm-symbolizer-19';
const SYSROOT = process.env.WASI_SYSROOT ?? '/usr';
const missing = [CLANG, SYMBOLIZER].filter((t) => !resolveExecutable(t));
const RUNNER = fileURLToPath(new URL('../../runners/run-wasi.mjs', import.meta.url));
const fx = (p: string) => readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8');
const fxPath = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));

// Three files; at -O2 `scaled` and `compute` are inlined into main, table_lookup stays a call.
const SOURCES: Record<string, string> = {
  'main.c': `#include <stdio.h>
int table_lookup(const int *table, int index);
const int *table_base(void);

static inline int scaled(int i) {
    return table_lookup(table_base(), i) * 3; /* LINE:scaled */
}

static int compute(int i) {
    return scaled(i) + 1; /* LINE:compute */
}

int main(int argc, char **argv) {
    (void)argv;
    printf("start\\n");
    return compute(argc * 0x20000000); /* LINE:main */
}
`,
  'lookup.c': `/* the trapping load */
__attribute__((noinline)) int table_lookup(const int *table, int index) {
    return table[index]; /* LINE:trap */
}
`,
  'table.c': `static const int values[4] = {1, 2, 3, 4};
__attribute__((noinline)) const int *table_base(void) { return values; }
`,
};
const lineOf = (file: string, tag: string) =>
  SOURCES[file]!.split('\n').findIndex((l) => l.includes(`LINE:${tag}`)) + 1;

let dir: string;
let countFile: string;
let countingSymbolizer: string[];

async function compile(sources: string[], out: string, level: string, cwd = dir): Promise<void> {
  const r = await runProcess(
    [CLANG, '--target=wasm32-wasi', `--sysroot=${SYSROOT}`, '-g', level, ...sources, '-o', out],
    { cwd, timeoutMs: 120_000 },
  );
  if (r.exitCode !== 0) throw new Error(`${CLANG} failed: ${r.stderr.text}`);
}

async function symbolizerRuns(): Promise<number> {
  const text = await fs.readFile(countFile, 'utf8').catch(() => '');
  await fs.rm(countFile, { force: true });
  return text.split('\n').filter(Boolean).length;
}

describe.skipIf(skipWithout(missing))(`symbolizer on real DWARF (needs ${[CLANG, SYMBOLIZER].join(', ')})`, () => {
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'symbolizer-it-'));
    for (const [name, text] of Object.entries(SOURCES)) await fs.writeFile(path.join(dir, name), text);
    countFile = path.join(dir, 'symbolizer-runs');
    const wrapper = path.join(dir, 'count-symbolizer.sh');
    // Counts processes: the point of the batch is one llvm-symbolizer per wasm.
    await fs.writeFile(wrapper, `#!/bin/sh\necho run >> '${countFile}'\nexec ${SYMBOLIZER} "$@"\n`, { mode: 0o755 });
    countingSymbolizer = [wrapper];
    await compile(Object.keys(SOURCES), 'prog.wasm', '-O2');
  });
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  async function trapUnderNode(wasm: string): Promise<RawFrame[]> {
    const run = await runProcess([process.execPath, RUNNER, wasm], { cwd: dir, timeoutMs: 60_000 });
    expect(run.exitCode).toBe(1);
    const parsed = parseNodeWasiOutput(run.stderr.text);
    expect(parsed.trap?.kind).toBe('out of bounds memory access');
    return parsed.frames;
  }

  it('maps node frames to function, file:line and the inline chain, with one process', async () => {
    const frames = await trapUnderNode('prog.wasm');
    expect(frames[0]!.name).toBe('table_lookup');
    const wasm = path.join(dir, 'prog.wasm');
    const s = await symbolizeFrames(wasm, frames, { symbolizer: countingSymbolizer });
    expect(await symbolizerRuns()).toBe(1);

    expect(s).toHaveLength(frames.length);
    expect(s[0]!.locations).toHaveLength(1);
    expect(s[0]!.locations[0]).toMatchObject({
      function: 'table_lookup',
      line: lineOf('lookup.c', 'trap'),
      inlined: false,
    });
    expect(path.basename(s[0]!.locations[0]!.file!)).toBe('lookup.c');
    expect(s[0]!.assumed).toBe('module-offset');
    const codeStart = parseWasmModule(await fs.readFile(wasm)).codeSectionStart!;
    expect(s[0]!.address).toBe(frames[0]!.offset! - codeStart);

    // the caller: the call sits in `scaled`, inlined into `compute`, inlined into `main`
    expect(s[1]!.locations.map((l) => [l.function, path.basename(l.file ?? ''), l.line, l.inlined])).toEqual([
      ['scaled', 'main.c', lineOf('main.c', 'scaled'), true],
      ['compute', 'main.c', lineOf('main.c', 'compute'), true],
      ['main', 'main.c', lineOf('main.c', 'main'), false],
    ]);
    // linker-made export wrapper: no DWARF, the runtime's name stays
    const last = s.at(-1)!;
    expect(last.raw.name).toBe('_start.command_export');
    expect(last.locations).toEqual([{ function: '_start.command_export', inlined: false }]);
    expect(last.note).toBe(NOTE_NO_DWARF);
  });

  it('gives the same answers batched and per frame', async () => {
    const frames = await trapUnderNode('prog.wasm');
    const wasm = path.join(dir, 'prog.wasm');
    const batched = await symbolizeFrames(wasm, frames, { symbolizer: countingSymbolizer });
    expect(await symbolizerRuns()).toBe(1);
    const perFrame = await symbolizePerFrame(wasm, frames, { symbolizer: countingSymbolizer });
    expect(await symbolizerRuns()).toBe(frames.length);
    expect(perFrame).toEqual(batched);
  });

  it('passes thousands of addresses through one process (response file)', async () => {
    const wasm = path.join(dir, 'prog.wasm');
    const info = parseWasmModule(await fs.readFile(wasm));
    const frames: RawFrame[] = [];
    for (const b of info.bodies) {
      for (let off = b.start; off < b.end; off++) {
        frames.push({
          index: frames.length,
          offset: off,
          funcIndex: b.index,
          thread: 0,
          addressSpace: 'module-offset',
        });
      }
    }
    expect(frames.length * 8).toBeGreaterThan(64 * 1024);
    const all = await symbolizeFrames(wasm, frames, { symbolizer: countingSymbolizer });
    expect(await symbolizerRuns()).toBe(1);
    expect(all.every((f) => f.address !== undefined && f.note !== 'symbolizer gave no answer for this address')).toBe(
      true,
    );
    const sample = frames.filter((_, i) => i % 997 === 0);
    expect(await symbolizeFrames(wasm, sample, { symbolizer: [SYMBOLIZER] })).toEqual(
      all.filter((_, i) => i % 997 === 0),
    );
  });

  it('degrades to names when the symbolizer cannot run', async () => {
    const frames = await trapUnderNode('prog.wasm');
    const s = await symbolizeFrames(path.join(dir, 'prog.wasm'), frames, { symbolizer: ['no-such-symbolizer-xyz'] });
    expect(s.map((f) => f.locations)).toEqual(frames.map((f) => [{ function: f.name, inlined: false }]));
    expect(s[0]!.note).toMatch(/^symbolizer failed: command not found/);
  });

  it('never looks up fast-interp offsets', async () => {
    const frames = parseIwasmOutput(fx('wamr/oob/O0/iwasm-fast-dbg.stdout'), { mode: 'fast-interp' }).frames;
    const s = await symbolizeFrames(path.join(dir, 'prog.wasm'), frames, { symbolizer: countingSymbolizer });
    expect(await symbolizerRuns()).toBe(0);
    expect(s.map((f) => [f.locations[0]!.function, f.note])).toEqual(frames.map((f) => [f.name, NOTE_FAST_INTERP]));
  });
});

// The fixtures' C programs rebuild to the same code layout with the same Debian toolchain, so the
// recorded iwasm/node offsets can be symbolized for real and checked against addr2line.py's output.
interface A2lEntry {
  function: string;
  file: string;
  line: number;
  column: number;
}
function readAddr2line(text: string): A2lEntry[] {
  const lines = text.split('\n');
  const out: A2lEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\d+: (\S+)/.exec(lines[i]!);
    if (!m) continue;
    const at = /^\tat (.*?)(?::(\d+))?(?::(\d+))?$/.exec(lines[i + 1] ?? '')!;
    out.push({ function: m[1]!, file: at[1]!, line: Number(at[2] ?? 0), column: Number(at[3] ?? 0) });
  }
  return out;
}
const codeRange = (objdump: string) => {
  const m = /Code start=0x([0-9a-f]+) end=0x([0-9a-f]+)/.exec(objdump)!;
  return [Number.parseInt(m[1]!, 16), Number.parseInt(m[2]!, 16)];
};
const where = (s: SymbolizedFrame) => {
  const l = s.locations[0]!;
  return [l.function, path.basename(l.file ?? '??'), l.line ?? 0, l.column ?? 0];
};

describe.skipIf(skipWithout(missing))('recorded iwasm dumps of the fixture programs', () => {
  let buildDir: string;
  beforeAll(async () => {
    buildDir = await fs.mkdtemp(path.join(os.tmpdir(), 'symbolizer-fixtures-'));
  });
  afterAll(async () => {
    if (buildDir) await fs.rm(buildDir, { recursive: true, force: true });
  });

  async function rebuild(prog: string, level: string): Promise<string | undefined> {
    const out = path.join(buildDir, `${prog}.${level}.wasm`);
    await compile([fxPath(`wamr/${prog}/${prog}.c`)], out, `-${level}`, buildDir);
    const info = parseWasmModule(await fs.readFile(out));
    const [start, end] = codeRange(fx(`wamr/${prog}/${level}/objdump-h.txt`));
    return info.codeSectionStart === start && info.codeSectionEnd === end ? out : undefined;
  }

  it.for<[string, string, number[]]>([
    ['oob', 'O0', [0]],
    ['oob', 'O2', [0]],
    ['badcall', 'O2', []],
    ['divzero', 'O2', []],
    ['trap', 'O0', []],
    ['abort', 'O0', []],
  ])(
    '%s -%s: same function and file:line:col as addr2line.py; junk top frames %j flagged',
    async ([prog, level, junk], ctx) => {
      const wasm = await rebuild(prog, level);
      if (!wasm) return skipOutsideCI(ctx, 'this toolchain lays the code out differently from the fixtures');
      const frames = parseIwasmOutput(fx(`wamr/${prog}/${level}/iwasm-dbg.stdout`)).frames;
      const s = await symbolizeFrames(wasm, frames, { symbolizer: [SYMBOLIZER] });
      const a2l = readAddr2line(fx(`wamr/${prog}/${level}/addr2line.out`));
      expect(a2l).toHaveLength(frames.length);
      s.forEach((f, i) => {
        const a = a2l[i]!;
        if (junk.includes(i)) {
          // HW bound check: stale offset; addr2line.py names the wrong function (or <unknown>)
          expect(f.note).toMatch(/^junk offset/);
          expect(f.locations).toEqual([{ function: frames[i]!.name, inlined: false }]);
        } else if (a.file === '??') {
          // _start.command_export: addr2line.py invents a name, the runtime's is right
          expect(f.note).toBe(NOTE_NO_DWARF);
          expect(f.locations[0]!.function).toBe(frames[i]!.name);
        } else {
          expect(f.note).toBeUndefined();
          expect(where(f)).toEqual([a.function, path.basename(a.file), a.line, a.column]);
        }
      });
    },
  );

  it('oob -O2: node offsets, iwasm past-the-instruction offsets and the no-HW-check top frame agree', async (ctx) => {
    const wasm = await rebuild('oob', 'O2');
    if (!wasm) return skipOutsideCI(ctx, 'this toolchain lays the code out differently from the fixtures');
    const iwasm = parseIwasmOutput(fx('wamr/oob/O2/iwasm-dbg-nohw.stdout')).frames;
    const node = parseNodeWasiOutput(fx('wamr/oob/O2/node.stderr')).frames;
    const [si, sn] = await Promise.all([
      symbolizeFrames(wasm, iwasm, { symbolizer: [SYMBOLIZER] }),
      symbolizeFrames(wasm, node, { symbolizer: [SYMBOLIZER] }),
    ]);
    expect(si.map(where)).toEqual(sn.map(where));
    expect(where(si[0]!)).toEqual(['load_it', 'oob.c', 9, 12]);
    const a2l = readAddr2line(fx('wamr/oob/O2/addr2line-nohw.out'));
    expect(where(si[1]!)).toEqual([a2l[1]!.function, path.basename(a2l[1]!.file), a2l[1]!.line, a2l[1]!.column]);
  });

  it('recurse -O2: a truncated 860k-frame dump symbolizes with one lookup per distinct address', async (ctx) => {
    const wasm = await rebuild('recurse', 'O2');
    if (!wasm) return skipOutsideCI(ctx, 'this toolchain lays the code out differently from the fixtures');
    const text = `${fx('wamr/recurse/O2/iwasm-dbg.stdout.head')}${truncationMarker(1, 2)}\n${fx('wamr/recurse/O2/iwasm-dbg.stdout.tail')}`;
    const frames = parseIwasmOutput(text).frames;
    const s = await symbolizeFrames(wasm, frames, { symbolizer: [SYMBOLIZER] });
    const a2l = readAddr2line(fx('wamr/recurse/O2/addr2line.out'));
    expect(a2l).toHaveLength(40);
    a2l.forEach((a, i) => expect(where(s[i]!)).toEqual([a.function, path.basename(a.file), a.line, a.column]));
    expect(new Set(s.map((f) => f.address)).size).toBeLessThanOrEqual(5);
    expect(s.at(-2)!.locations[0]!.function).toBe('_start');
  });
});
