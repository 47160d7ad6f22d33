import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentIndirectCalls } from '../../src/indirect-call/instrument.ts';
import { probeIndirectCall } from '../../src/indirect-call/probe.ts';
import { describeDiagnosis } from '../../src/diagnose/describe.ts';
import { indirectCallData } from '../../src/diagnose/diagnostics/indirect-call.ts';
import { callIndirectSites, walkInstructions } from '../../src/parse/wasm-instructions.ts';
import { parseWasmModule } from '../../src/parse/wasm-sections.ts';
import { runProcess } from '../../src/process/run.ts';
import { nodeWasiRuntime, runNodeWasiReportingGlobals } from '../../src/tools/runtimes/node-wasi.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import { skipWithout } from '../helpers/needs.ts';

// Real modules from clang (Debian clang-19, wasi-libc), checked against wabt's wasm-objdump as the
// independent reader of types, element segments and code.
const CLANG = 'clang-19';
const SYSROOT = process.env.WASI_SYSROOT ?? '/usr';
const missing = [CLANG, 'wasm-objdump', 'wasm-validate'].filter((t) => !resolveExecutable(t));

// A function-pointer cast: `one_arg` takes one int, the table entry is called with two.
const CAST_C = `#include <stdio.h>
typedef int (*two_args)(int, int);
__attribute__((noinline)) int one_arg(int x) { return x + 1; }
__attribute__((noinline)) int add(int a, int b) { return a + b; }
__attribute__((noinline)) int call_through(two_args f, int a) { return f(a, 2); }
two_args table[2] = {add, (two_args)one_arg};
int main(int argc, char **argv) {
  (void)argv;
  printf("add: %d\\n", call_through(table[0], 40));
  fflush(stdout);
  return call_through(table[argc == 1], 1); /* no extra argument: one_arg through (int, int) */
}
`;

// Immediates the walker must skip: SIMD (load, store, lane, shuffle), bulk memory, saturating conversions, br_table.
const MIXED_C = `#include <stdio.h>
#include <wasm_simd128.h>
typedef int (*op)(int);
static int twice(int x) { return 2 * x; }
static int neg(int x) { return -x; }
op ops[2] = {twice, neg};
__attribute__((noinline)) int pick(int k, int v) {
  switch (k) { case 0: return v; case 1: return v + 7; case 2: return v * 3; case 3: return v - 9; case 4: return ops[v & 1](v); default: return ops[0](k); }
}
__attribute__((noinline)) void vec(int *out, const int *in, int n) {
  v128_t acc = wasm_i32x4_splat(n);
  for (int i = 0; i + 4 <= n; i += 4) acc = wasm_i32x4_add(acc, wasm_v128_load(in + i));
  wasm_v128_store(out, wasm_i8x16_shuffle(acc, acc, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11));
  out[4] = wasm_i32x4_extract_lane(acc, 1);
}
__attribute__((noinline)) void copy(char *d, const char *s, int n) { __builtin_memcpy(d, s, n); __builtin_memset(d + n, 0, n); }
int main(int argc, char **argv) {
  int in[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[5];
  char buf[64];
  vec(out, in, 8);
  copy(buf, argv[0], 4);
  volatile double d = 1e30;
  int sat = (int)d;
  printf("%d %d %d %d %d\\n", pick(argc + 3, out[4]), ops[1](buf[1]), sat > 0, pick(argc, 5), out[0]);
  return 0;
}
`;

let dir: string;
const objdump = async (args: string[], file: string) =>
  (await runProcess(['wasm-objdump', ...args, file], { cwd: dir, timeoutMs: 60_000 })).stdout.text;

async function clang(source: string, out: string, flags: string[]): Promise<string> {
  await fs.writeFile(path.join(dir, `${out}.c`), source);
  const r = await runProcess(
    [
      CLANG,
      '--target=wasm32-wasi',
      `--sysroot=${SYSROOT}`,
      '-mno-reference-types',
      ...flags,
      `${out}.c`,
      '-o',
      `${out}.wasm`,
    ],
    { cwd: dir, timeoutMs: 120_000 },
  );
  if (r.exitCode !== 0) throw new Error(`${CLANG} failed: ${r.stderr.text}`);
  return path.join(dir, `${out}.wasm`);
}

describe.skipIf(skipWithout(missing))(`indirect-call probe on clang-built modules (needs ${CLANG}, wabt)`, () => {
  let castWasm: string;
  let mixedWasm: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'call-probe-it-'));
    [castWasm, mixedWasm] = await Promise.all([
      clang(CAST_C, 'cast', ['-O1']),
      clang(MIXED_C, 'mixed', ['-O2', '-msimd128', '-mbulk-memory', '-mnontrapping-fptoint']),
    ]);
  });
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('walks every instruction wasm-objdump disassembles, and finds each call_indirect with its type immediate', async () => {
    for (const wasm of [castWasm, mixedWasm]) {
      const bytes = await fs.readFile(wasm);
      const info = parseWasmModule(bytes);
      const offsets: number[] = [];
      for (const b of info.bodies) walkInstructions(bytes, b, (offset) => offsets.push(offset));
      const sites = info.bodies.flatMap((b) => callIndirectSites(bytes, b).map((s) => `${s.offset} ${s.typeIndex}`));
      const lines = [...(await objdump(['-d'], wasm)).matchAll(/^ ([0-9a-f]+): [0-9a-f ]*\|[ \t]*(.*)$/gm)].filter(
        (m) => m[2] && !m[2].startsWith('local['),
      ); // long immediates wrap onto lines of their own
      expect(offsets).toEqual(lines.map((m) => Number.parseInt(m[1]!, 16)));
      const theirs = lines.flatMap(
        (m) =>
          /^call_indirect \d+ \(type (\d+)\)/.exec(m[2]!.trim())?.[1]?.replace(/^/, `${Number.parseInt(m[1]!, 16)} `) ??
          [],
      );
      expect(theirs.length).toBeGreaterThan(0);
      expect(sites).toEqual(theirs);
    }
    // the mixed module has what it is meant to exercise
    const text = await objdump(['-d'], mixedWasm);
    for (const op of [
      'i8x16.shuffle',
      'v128.store32_lane',
      'memory.copy',
      'memory.fill',
      'i32.trunc_sat_f64_s',
      'br_table',
    ])
      expect(text).toContain(op);
  });

  it('instruments a module that still validates and behaves the same where nothing traps', async () => {
    const instrumented = instrumentIndirectCalls(await fs.readFile(mixedWasm));
    const out = path.join(dir, 'mixed.instrumented.wasm');
    await fs.writeFile(out, instrumented.bytes);
    const valid = await runProcess(['wasm-validate', '--enable-all', out], { cwd: dir, timeoutMs: 60_000 });
    expect(valid.exitCode, valid.stderr.text).toBe(0);
    const node = nodeWasiRuntime([process.execPath]);
    const [plain, probed] = await Promise.all([
      node.run({ cwd: dir, wasmFile: 'mixed.wasm', timeoutMs: 60_000 }),
      runNodeWasiReportingGlobals([process.execPath], [instrumented.slotGlobal, instrumented.siteGlobal], {
        cwd: dir,
        wasmFile: 'mixed.instrumented.wasm',
        timeoutMs: 60_000,
      }),
    ]);
    expect(plain.exitCode, plain.stderr.text).toBe(0);
    expect(probed.programStdout.text).toBe(plain.programStdout.text);
    // the values after the run: the last indirect call made, a site the instrumentation knows
    const values = JSON.parse(/wasi-run globals: (.*)/.exec(probed.stderr.text)![1]!) as Record<string, number>;
    expect(instrumented.sites[values[instrumented.siteGlobal]!]).toBeDefined();
    expect(values[instrumented.slotGlobal]).toBeGreaterThan(0);
  });

  it('names the function a trapping indirect call reached, with both signatures', async () => {
    const probe = await probeIndirectCall({
      wasmPath: castWasm,
      cwd: dir,
      node: [process.execPath],
      timeoutMs: 60_000,
    });
    expect(probe.ok, probe.ok ? '' : probe.reason).toBe(true);
    if (!probe.ok) return;
    const details = await objdump(['-x'], castWasm);
    const slot = Number(/elem\[(\d+)\] = func\[\d+\] <one_arg>/.exec(details)![1]);
    const typeOf = (fn: string) => Number(new RegExp(`func\\[\\d+\\] sig=(\\d+) <${fn}>`).exec(details)![1]);
    const signature = (t: number) => new RegExp(`type\\[${t}\\] (.*)`).exec(details)![1];
    expect(probe.callee).toMatchObject({
      caller: { name: 'call_through' },
      slot,
      callee: { name: 'one_arg', signature: signature(typeOf('one_arg')) },
      expected: { signature: signature(typeOf('add')) },
      fault: 'signature mismatch',
    });
    const data = indirectCallData(probe.callee, 'cast.c:5');
    const diagnosis = {
      groupKey: 'g',
      diagnosedCase: 'c',
      inherited: false,
      results: [{ kind: 'indirect-call' as const, status: 'ok' as const, durationMs: 1, cached: false, data }],
    };
    expect(describeDiagnosis(diagnosis).callee).toBe(
      `call_through (cast.c:5) called table[${slot}] = one_arg : (i32) -> i32 through type (i32, i32) -> i32`,
    );
    // the probe wrote its module into the folder and took it away again
    expect((await fs.readdir(dir)).filter((f) => f.includes('call-probe'))).toEqual([]);
    expect(probe.run.programStdout.text).toBe('add: 42\n');
  });

  it('says so when the module does not trap on an indirect call', async () => {
    const probe = await probeIndirectCall({
      wasmPath: mixedWasm,
      cwd: dir,
      node: [process.execPath],
      timeoutMs: 60_000,
    });
    expect(probe).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/did not trap on an indirect call \(exit 0\)/),
    });
  });
});
