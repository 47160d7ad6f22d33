import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCacheDir, PROJECT_ROOT, resolveOptions } from '../../src/config/options.ts';
import { buildEnvironment } from '../../src/run/environment.ts';
import { checkConfiguredRuntimes } from '../../src/doctor/runtimes.ts';
import { detectToolchain } from '../../src/toolchain/index.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import type { CaseRecord } from '../../src/types.ts';
import { runCases } from '../helpers/run-cases.ts';
import { inCI } from '../helpers/needs.ts';

// Runtimes defined in the config as command templates, on real clang-built wasm (the py2wasm
// stand-in builds each case's C twin): Node's WASI runner as a template read with the node parser,
// and wasmtime as a template read with the generic parser (exit status + last stderr line).
// The doctor's check of each configured runtime is the real one. wasmtime comes from setup.
const root = path.join(PROJECT_ROOT, 'test', 'fixtures', 'twin-cookbook');
const standin = path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh');
const CASES = ['basics.hello', 'basics.differs', 'traps.oob', 'traps.exits'];

let wasmtime: string | undefined;
const missing: string[] = [];

describe('runtimes defined by command template (real clang-built wasm)', () => {
  let cacheDir: string;
  let records = new Map<string, CaseRecord>();
  beforeAll(async () => {
    wasmtime =
      (await detectToolchain(defaultCacheDir()).catch(() => undefined))?.wasmtime?.[0] ??
      resolveExecutable('wasmtime') ??
      undefined;
    for (const tool of ['clang-19', 'python3']) if (!resolveExecutable(tool)) missing.push(tool);
    if (!wasmtime) missing.push('wasmtime (npx vitest-py2wasm setup)');
    if (missing.length && inCI()) throw new Error(`missing in CI: ${missing.join(', ')}`);
    if (missing.length) return;
    cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'template-runtime-'));
    const options = resolveOptions(
      {
        root,
        cases: CASES,
        targets: ['py2wasm+node', 'py2wasm+wasi-node', 'py2wasm+wt', 'py2wasm+absent'],
        runtimes: {
          'wasi-node': {
            command: [
              process.execPath,
              '--no-warnings',
              path.join(PROJECT_ROOT, 'runners', 'wasi-run.mjs'),
              '--',
              '{wasm}',
              '{args}',
            ],
            output: 'node',
            processEnv: { NODE_OPTIONS: null },
          },
          // wasmtime adds Rust frames after the trap line when RUST_BACKTRACE is set
          wt: {
            command: [wasmtime!, 'run', '--dir=.', '{wasm}', '{args}'],
            output: 'generic',
            processEnv: { RUST_BACKTRACE: null },
          },
          absent: { command: ['no-such-runtime-here', '{wasm}'] },
        },
        tools: { py2wasm: standin },
        timeouts: { pythonMs: 5000, wasmMs: 10_000, compileMs: 60_000 },
        cacheDir,
      },
      {},
    );
    const configured = await checkConfiguredRuntimes(options);
    expect(Object.keys(configured.found).sort()).toEqual(['wasi-node', 'wt']);
    expect(configured.problems.absent).toMatch(/runtime absent: no-such-runtime-here not found on PATH/);
    expect(configured.versions.wt).toMatch(/^wasmtime \d+/);
    const env = buildEnvironment(options, {
      py2wasm: { command: [standin], fingerprint: 'standin-1', sdkFingerprint: 'debian-clang-19', wasiSdkDir: null },
      node: [process.execPath],
      runtimes: configured.found,
      versions: { python: 'Python 3.11' },
      problems: configured.problems,
    });
    expect(env.missing['py2wasm+absent']).toMatch(/no-such-runtime-here not found/);
    records = await runCases(env, root, CASES, path.join(cacheDir, 'scratch'));
  }, 120_000);
  afterAll(() => (cacheDir ? fs.rm(cacheDir, { recursive: true, force: true }) : undefined));

  it('gives every template runtime the verdicts of the built-in one', (ctx) => {
    if (missing.length) ctx.skip(`missing: ${missing.join(', ')}`);
    for (const kase of CASES) {
      const codes = ['node', 'wasi-node', 'wt'].map((rt) => records.get(`${kase} py2wasm+${rt}`)?.codeName);
      expect(new Set(codes).size, `${kase}: ${codes.join(' ')}`).toBe(1);
    }
    expect(records.get('basics.hello py2wasm+wt')!.codeName).toBe('OK');
    expect(records.get('basics.differs py2wasm+wt')!.codeName).toBe('DIFFERENT_RESULT');
    // a configured runtime whose executable is missing skips its cases with the doctor's message
    expect(records.get('basics.hello py2wasm+absent')!.bypassReason).toMatch(/no-such-runtime-here not found/);
  });

  it('reads traps and frames with the parser the template names', (ctx) => {
    if (missing.length) ctx.skip(`missing: ${missing.join(', ')}`);
    const builtIn = records.get('traps.oob py2wasm+node')!.wasm!;
    const viaTemplate = records.get('traps.oob py2wasm+wasi-node')!.wasm!;
    expect(viaTemplate.trap).toEqual(builtIn.trap);
    expect(viaTemplate.frames.map((f) => f.name)).toEqual(builtIn.frames.map((f) => f.name));
    expect(viaTemplate.runtime).toBe('wasi-node');
    const generic = records.get('traps.oob py2wasm+wt')!;
    expect(generic.wasm!.trap?.kind).toBe('out of bounds memory access');
    expect(generic.wasm!.runtimeLines).toEqual([expect.stringMatching(/wasm trap: out of bounds memory access$/)]);
    expect(generic.wasm!.programStderr.text).toMatch(/^about to fault\n/);
    // no trap, a non-zero exit: the generic parser keeps the last stderr line as the reason
    const exits = records.get('traps.exits py2wasm+wt')!;
    expect(exits.wasm!.exitCode).toBe(3);
    expect(exits.wasm!.trap).toBeUndefined();
    expect(exits.msg).toContain('giving up');
  });
});
