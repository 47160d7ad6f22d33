// The real setup: venv + pip install py2wasm, the WASI SDK from Debian's packages, a py2wasm
// compile of a hello-world run under Node WASI. Minutes (the compile alone ~72 s with a cold
// Nuitka cache). Needs: python3 = 3.11, apt packages clang-19 lld-19 llvm-19 wasi-libc
// libclang-rt-19-dev-wasm32 patchelf, PyPI reachable (or pip's cache).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/process/run.ts';
import {
  DL_STUB_MESSAGE,
  detectToolchain,
  ensureToolchain,
  py2wasmFingerprint,
  type Toolchain,
} from '../../src/toolchain/index.ts';
import { readStamp } from '../../src/toolchain/stamp.ts';
import type { ToolchainStampData } from '../../src/toolchain/ensure.ts';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOOLCHAIN_INDEX = pathToFileURL(path.join(PROJECT_ROOT, 'src/toolchain/index.ts')).href;

const WORKER = `import { ensureToolchain } from ${JSON.stringify(TOOLCHAIN_INDEX)};
const t = performance.now();
const tc = await ensureToolchain({ cacheDir: process.argv[2], verify: true, onProgress: (m) => console.log('progress ' + m) });
console.log('RESULT ' + JSON.stringify({ ms: Math.round(performance.now() - t), tc }));
`;

interface WorkerResult {
  ms: number;
  tc: Toolchain;
  progress: string[];
}

let tmp: string;
let cacheDir: string;
let workers: WorkerResult[];

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'p2w-toolchain-it-'));
  cacheDir = path.join(tmp, 'cache');
  const script = path.join(tmp, 'worker.mts');
  await fs.writeFile(script, WORKER);
  // Two processes at once, as two vitest workers would: one sets up, the other waits on the lock.
  const outcomes = await Promise.all(
    [0, 1].map(() =>
      runProcess([process.execPath, '--import', 'tsx', script, cacheDir], {
        cwd: PROJECT_ROOT,
        timeoutMs: 25 * 60_000,
      }),
    ),
  );
  workers = outcomes.map((o) => {
    const lines = o.stdout.text.split('\n');
    const result = lines.find((l) => l.startsWith('RESULT '));
    if (o.exitCode !== 0 || !result)
      throw new Error(`worker failed (exit ${String(o.exitCode)}):\n${o.stdout.text}\n${o.stderr.text}`);
    return {
      ...(JSON.parse(result.slice(7)) as Omit<WorkerResult, 'progress'>),
      progress: lines.filter((l) => l.startsWith('progress ')),
    };
  });
}, 30 * 60_000);

afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('ensureToolchain, real setup', () => {
  it('gave two concurrent workers the same toolchain, set up and verified once', async () => {
    expect(workers[0]!.tc).toEqual(workers[1]!.tc);
    const all = workers.flatMap((w) => w.progress);
    expect(all.filter((l) => l.includes('creating the venv'))).toHaveLength(1);
    expect(all.filter((l) => l.includes('verify: compiling'))).toHaveLength(1);
    expect(all.filter((l) => l.includes('waiting for another process'))).toHaveLength(1);
    const stamp = await readStamp<ToolchainStampData>(path.join(cacheDir, 'toolchain', 'toolchain.json'));
    expect(stamp?.data.verify).toMatchObject({ ok: true });
    expect(stamp!.data.verify!.wasmBytes).toBeGreaterThan(10_000_000);
    // nothing half-built left behind
    expect((await fs.readdir(path.join(cacheDir, 'toolchain'))).sort()).toEqual(['toolchain.json', 'venv', 'wasi-sdk']);
  });

  // how fast is for npm run bench; here: the stamp answers, and with the same toolchain
  it('returns from the stamp the next time, without setting anything up again', async () => {
    const t = performance.now();
    const tc = await ensureToolchain({ cacheDir, verify: true });
    const ms = performance.now() - t;
    console.log(`second ensureToolchain: ${ms.toFixed(0)} ms (setup took ${Math.max(...workers.map((w) => w.ms))} ms)`);
    expect(tc).toEqual(workers[0]!.tc);
    expect(await detectToolchain(cacheDir)).toEqual(tc);
  });

  it('put py2wasm 2.6.3, its WASI CPython and a runnable wasmtime where it says', async () => {
    const tc = workers[0]!.tc;
    expect(tc.versions.py2wasm).toBe('2.6.3');
    expect(tc.versions.python).toMatch(/^3\.11\./);
    expect(tc.versions['pthread.h']).toMatch(/^ziglang 0\.17\.1 \(bits\/alltypes\.h (identical|compatible)\)$/);
    await fs.access(path.join(tc.wasiPythonDir, 'lib', 'libpython3.11.a'));
    await fs.access(path.join(tc.wasiPythonDir, 'bin', 'python3.11.wasm'));
    expect(tc.wasmtime).toBeDefined();
    const v = await runProcess([...tc.wasmtime!, '--version'], { cwd: tmp, timeoutMs: 60_000 });
    expect(v.stdout.text).toMatch(/^wasmtime \d+\./);
    const help = await runProcess([...tc.py2wasm, '--help'], {
      cwd: tmp,
      timeoutMs: 60_000,
      env: { WASI_SDK_DIR: tc.wasiSdkDir },
    });
    expect(help.exitCode).toBe(0);
    expect(help.stdout.text).toContain('usage: py2wasm');
  });

  it('assembled an SDK that compiles and LTO-links C using pthread.h and dlfcn.h, with the dl stub', async () => {
    const tc = workers[0]!.tc;
    const work = path.join(tmp, 'c');
    await fs.mkdir(work);
    await fs.writeFile(
      path.join(work, 'dl.c'),
      `#include <pthread.h>
#include <dlfcn.h>
#include <stdio.h>
int main(void) {
  pthread_mutex_t m;
  void *h = dlopen("libx.so", RTLD_NOW);
  printf("%d|%s|%d\\n", h == NULL, dlerror(), (int)sizeof m > 0);
  return 7;
}
`,
    );
    await fs.writeFile(
      path.join(work, 'run.mjs'),
      `import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
const wasi = new WASI({ version: 'preview1', args: ['dl.wasm'], env: {}, preopens: {} });
const instance = await WebAssembly.instantiate(await WebAssembly.compile(await readFile('dl.wasm')), wasi.getImportObject());
process.exitCode = wasi.start(instance);
`,
    );
    const cc = await runProcess(
      [path.join(tc.wasiSdkDir, 'bin', 'clang'), '-flto', '-O2', 'dl.c', '-o', 'dl.wasm', '-ldl', '-lpthread'],
      { cwd: work, timeoutMs: 120_000 },
    );
    expect(cc.stderr.text).toBe('');
    expect(cc.exitCode).toBe(0);
    const run = await runProcess([process.execPath, '--no-warnings', 'run.mjs'], { cwd: work, timeoutMs: 60_000 });
    expect(run.stdout.text).toBe(`1|${DL_STUB_MESSAGE}|1\n`);
    expect(run.exitCode).toBe(7);
  });

  it('fingerprints the real install and sees a save of CompiledFunctionType.c', async () => {
    const tc = workers[0]!.tc;
    await py2wasmFingerprint(tc.nuitkaPackageDir); // first walk warms the OS cache
    const t = performance.now();
    const before = await py2wasmFingerprint(tc.nuitkaPackageDir);
    const ms = performance.now() - t;
    console.log(`py2wasmFingerprint: ${ms.toFixed(1)} ms`);
    expect(before).toBe(tc.fingerprints.py2wasm);
    const file = path.join(tc.nuitkaPackageDir, 'build', 'static_src', 'CompiledFunctionType.c');
    // the fingerprint hashes contents: a touch alone keeps it, an edited file changes it
    const later = new Date(Date.now() + 5000);
    await fs.utimes(file, later, later);
    expect(await py2wasmFingerprint(tc.nuitkaPackageDir)).toBe(before);
    await fs.appendFile(file, '\n/* edited by the toolchain test */\n');
    expect(await py2wasmFingerprint(tc.nuitkaPackageDir)).not.toBe(before);
    expect((await ensureToolchain({ cacheDir, verify: true })).fingerprints.py2wasm).not.toBe(before);
  });
});
