import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/config/options.ts';
import { probeVersion } from '../../src/doctor/probe.ts';
import { runDoctor } from '../../src/doctor/doctor.ts';
import { identify } from '../../src/doctor/tool-identity.ts';
import { inCI } from '../helpers/needs.ts';

// The doctor checks that each tool is what it claims, with real processes: /bin/false answers
// `--version` with "false (GNU coreutils) 9.1", a script prints junk, another replays what an old
// iwasm (no --version) really printed (test/fixtures/iwasm-usage/).
const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/iwasm-usage/${name}`, import.meta.url), 'utf8');
let dir: string;
let junk: string;
let oldIwasm: string;

const script = (name: string, body: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-'));
  junk = script('junk-tool', 'echo "hello, I am not a runtime"');
  fs.writeFileSync(path.join(dir, 'old-wamr.txt'), fixture('old-wamr.version.stdout'));
  oldIwasm = script(
    'iwasm-old',
    `cat "${path.join(dir, 'old-wamr.txt')}"; exit ${fixture('old-wamr.version.exitcode').trim()}`,
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const doctor = (env: Record<string, string>, targets = ['py2wasm+iwasm']) =>
  runDoctor(resolveOptions({ targets, cacheDir: path.join(dir, 'cache') }, env));
const lineOf = async (env: Record<string, string>, tool: string) =>
  (await doctor(env)).lines.find((l) => l.tool === tool)!;

describe('doctor: each tool is what it claims', () => {
  it('refuses IWASM=/bin/false, naming what it printed, and no case runs under it', async () => {
    const report = await doctor({ IWASM: '/bin/false' });
    const line = report.lines.find((l) => l.tool === 'iwasm')!;
    expect(line).toMatchObject({ status: 'missing', command: '/bin/false', needed: true });
    expect(line.message).toBe(
      '/bin/false is not WAMR iwasm: `/bin/false --version` printed "false (GNU coreutils) 9.1" (exit 1): WAMR is in no package registry; build product-mini/platforms/linux of wasm-micro-runtime and set IWASM=/path/to/iwasm',
    );
    expect(report.availability.iwasm).toBeNull();
    expect(report.availability.problems.iwasm).toBe(line.message);
  });

  it('refuses a script that prints something else, for every tool', async () => {
    const env = {
      IWASM: junk,
      PYTHON: junk,
      WASMTIME: junk,
      LLVM_SYMBOLIZER: junk,
      IWASM_DEBUG: junk,
      NODE_WASI: junk,
    };
    const report = await doctor(env);
    const says = `${junk} is not %s: \`${junk} --version\` printed "hello, I am not a runtime" (exit 0)`;
    for (const [tool, what, status] of [
      ['iwasm', 'WAMR iwasm', 'missing'],
      ['python', 'CPython 3', 'missing'],
      ['wasmtime', 'the wasmtime CLI', 'missing'],
      ['llvm-symbolizer', 'llvm-symbolizer', 'warn'],
      ['iwasm-debug', 'WAMR iwasm', 'warn'],
      ['node', 'Node.js', 'missing'],
    ] as const) {
      const line = report.lines.find((l) => l.tool === tool)!;
      expect(line.status, tool).toBe(status);
      expect(line.message, tool).toContain(says.replace('%s', what));
    }
    expect(report.availability).toMatchObject({ iwasm: null, wasmtime: null });
    expect(report.availability.problems.python).toMatch(/junk-tool is not CPython 3: .*set PYTHON=/);
  });

  it('accepts an old iwasm that answers --version with its usage (WAMR before 1.0)', async () => {
    const line = await lineOf({ IWASM: oldIwasm }, 'iwasm');
    expect(line).toMatchObject({ status: 'ok', command: oldIwasm, version: 'iwasm (no --version: WAMR before 1.0)' });
  });

  it('accepts the real tools: python3, this node, llvm-symbolizer', async () => {
    const report = await doctor({}, ['py2wasm+node']);
    expect(report.lines.find((l) => l.tool === 'python')).toMatchObject({
      status: 'ok',
      version: expect.stringMatching(/^Python 3\.\d+\.\d+/),
    });
    expect(report.lines.find((l) => l.tool === 'node')).toMatchObject({ status: 'ok', version: process.version });
    const symbolizer = report.lines.find((l) => l.tool === 'llvm-symbolizer')!;
    // in CI the symbolizer is installed (llvm-19): it must be found and be what it claims
    if (inCI() || symbolizer.status === 'ok')
      expect(symbolizer).toMatchObject({ status: 'ok', version: expect.stringMatching(/LLVM version 19\./) });
  });

  it('says when a tool cannot be started at all', async () => {
    const probe = await probeVersion([path.join(dir, 'old-wamr.txt')]);
    expect(identify('iwasm', probe)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^`.*old-wamr\.txt --version` could not start: /),
    });
  });
});

describe('identify: real --version answers', () => {
  const probe = (output: string, exitCode = 0) => ({ command: ['t', '--version'], exitCode, output: output.trim() });
  it('reads iwasm 2.4.3, wasmtime, llvm-symbolizer, Python and node as they print themselves', () => {
    expect(identify('iwasm', probe(fixture('2.4.3.version.stdout')))).toEqual({ ok: true, version: 'iwasm 2.4.3' });
    expect(identify('wasmtime', probe('wasmtime 49.0.3 (f96eabaa1 2026-10-14)'))).toEqual({
      ok: true,
      version: 'wasmtime 49.0.3 (f96eabaa1 2026-10-14)',
    });
    expect(identify('symbolizer', probe('llvm-symbolizer\nDebian LLVM version 19.1.7\n  Optimized build.'))).toEqual({
      ok: true,
      version: 'LLVM version 19.1.7',
    });
    expect(identify('python', probe('Python 3.11.7'))).toEqual({ ok: true, version: 'Python 3.11.7' });
    expect(identify('python', probe('Python 2.7.18')).ok).toBe(false);
    expect(identify('node', probe('v20.20.2'))).toEqual({ ok: true, version: 'v20.20.2' });
  });

  it("does not take a runtime's usage text for iwasm unless it is iwasm's", () => {
    expect(identify('iwasm', probe(fixture('old-wamr.version.stdout'), 1))).toEqual({
      ok: true,
      version: 'iwasm (no --version: WAMR before 1.0)',
    });
    expect(identify('iwasm', probe('Usage: wasmer <COMMAND>', 2))).toEqual({
      ok: false,
      reason: 't is not WAMR iwasm: `t --version` printed "Usage: wasmer <COMMAND>" (exit 2)',
    });
    expect(identify('iwasm', probe('', 1))).toEqual({
      ok: false,
      reason: 't is not WAMR iwasm: `t --version` printed nothing (exit 1)',
    });
  });
});
