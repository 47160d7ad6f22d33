import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import which from 'which';
import { runProcess } from '../process/run.ts';
import { describeFailure } from './exec.ts';
import { exists } from '../process/files.ts';
import { ToolchainError, type Toolchain } from './types.ts';

export interface VerifyResult {
  ok: true;
  at: string;
  compileMs: number;
  runMs: number;
  wasmBytes: number;
  /** `wasm-validate` with reference-types and multi-value off, when wabt is installed. */
  validated: 'wasm-validate' | 'skipped (no wasm-validate)';
  runner: 'project' | 'own';
}

// A stem of its own: py2wasm builds in `nuitka/__py2wasm/<stem>.build`, shared by all compiles of the install.
const STEM = 'p2w_toolchain_verify';
const HELLO_PY = `import sys
words = ["toolchain", "ok"]
print("-".join(w.upper() for w in words), sum(i * i for i in range(10)))
print("to stderr", file=sys.stderr)
`;
const VERIFY_EXPECTED_STDOUT = 'TOOLCHAIN-OK 285\n';

/** The fixtures' runner: preopen `.`, empty env, the trap left uncaught. */
const OWN_RUNNER = `import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import which from 'which';
const [wasmPath, ...rest] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [wasmPath, ...rest], env: {}, preopens: { '.': '.' } });
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
`;

const PROJECT_RUNNER = fileURLToPath(new URL('../../runners/run-wasi.mjs', import.meta.url));

/**
 * Compiles a hello-world with the installed py2wasm and runs it under Node's WASI: proves the SDK
 * really links what py2wasm produces. Slow (about 72 s with a cold Nuitka cache, 15 s warm).
 */
export async function verifyToolchain(
  tc: Pick<Toolchain, 'py2wasm' | 'wasiSdkDir' | 'nuitkaCacheDir'>,
  opts: { workRoot: string; signal?: AbortSignal; onProgress?: (msg: string) => void },
): Promise<VerifyResult> {
  const work = path.join(opts.workRoot, `verify-${crypto.randomBytes(4).toString('hex')}`);
  await fs.mkdir(work, { recursive: true });
  await fs.mkdir(tc.nuitkaCacheDir, { recursive: true });
  await fs.writeFile(path.join(work, `${STEM}.py`), HELLO_PY);
  const fail = (msg: string): never => {
    throw new ToolchainError(`Toolchain check failed: ${msg}\n  (files kept in ${work})`);
  };

  opts.onProgress?.('verify: compiling a hello-world with py2wasm (about 72 s with a cold Nuitka cache, 15 s warm)');
  const compile = await runProcess([...tc.py2wasm, `${STEM}.py`, '-o', `${STEM}.wasm`], {
    cwd: work,
    timeoutMs: 30 * 60_000,
    env: {
      WASI_SDK_DIR: tc.wasiSdkDir,
      NUITKA_CACHE_DIR: tc.nuitkaCacheDir,
      PYTHONPATH: undefined,
      PYTHONHOME: undefined,
    },
    signal: opts.signal,
  });
  opts.signal?.throwIfAborted();
  const wasm = path.join(work, `${STEM}.wasm`);
  if (compile.exitCode !== 0) fail(`py2wasm: ${describeFailure(compile)}`);
  const wasmBytes =
    (await fs.stat(wasm).catch(() => undefined))?.size ?? fail(`py2wasm exited 0 but wrote no ${STEM}.wasm`);

  let validated: VerifyResult['validated'] = 'skipped (no wasm-validate)';
  const wasmValidate = await which('wasm-validate', { nothrow: true });
  if (wasmValidate) {
    // Older runtimes reject reference-types/multivalue: the wrappers must have kept them out of the code.
    const v = await runProcess([wasmValidate, '--disable-reference-types', '--disable-multi-value', wasm], {
      cwd: work,
      timeoutMs: 5 * 60_000,
      signal: opts.signal,
    });
    if (v.exitCode !== 0) fail(`wasm-validate without reference-types/multi-value: ${describeFailure(v)}`);
    validated = 'wasm-validate';
  }

  const ownRunner = !(await exists(PROJECT_RUNNER));
  const runner = ownRunner ? path.join(work, 'run-wasi.mjs') : PROJECT_RUNNER;
  if (ownRunner) await fs.writeFile(runner, OWN_RUNNER);
  opts.onProgress?.('verify: running it under Node WASI');
  const run = await runProcess([process.execPath, '--no-warnings', runner, `${STEM}.wasm`], {
    cwd: work,
    timeoutMs: 5 * 60_000,
    signal: opts.signal,
  });
  opts.signal?.throwIfAborted();
  if (run.exitCode !== 0 || run.stdout.text !== VERIFY_EXPECTED_STDOUT) {
    fail(
      `the compiled hello-world under Node WASI: expected stdout ${JSON.stringify(VERIFY_EXPECTED_STDOUT)} and exit 0, got ${JSON.stringify(run.stdout.text)}, ${describeFailure(run)}`,
    );
  }
  await fs.rm(work, { recursive: true, force: true });
  return {
    ok: true,
    at: new Date().toISOString(),
    compileMs: compile.durationMs,
    runMs: run.durationMs,
    wasmBytes,
    validated,
    runner: ownRunner ? 'own' : 'project',
  };
}
