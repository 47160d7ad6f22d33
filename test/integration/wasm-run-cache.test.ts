import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CookbookCase } from '../../src/discover/discover.ts';
import { runProcess } from '../../src/process/run.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import { copyRecipe, placeWasm } from '../../src/run/scratch.ts';
import { CachedWasmSide } from '../../src/run/wasm-run-cache.ts';
import { nodeWasiRuntime } from '../../src/tools/runtimes/node-wasi.ts';
import type { WasmRuntime } from '../../src/tools/runtimes/runtime.ts';
import type { RuntimeRun } from '../../src/types.ts';
import { skipWithout } from '../helpers/needs.ts';

// Real wasm (clang-19 for wasm32-wasi, Debian's wasi-libc) under the real Node WASI runner, started
// through a wrapper script that stands for the runtime's executable (touching it is a rebuild).
// The runtime object counts the runs it really made.
const CLANG = 'clang-19';
const SYSROOT = process.env.WASI_SYSROOT ?? '/usr';

const PROGRAMS: Record<string, string> = {
  // writes data.txt in its folder, which the next case reads
  writer:
    '#include <stdio.h>\nint main(void){FILE*f=fopen("data.txt","w");fputs("hello",f);fclose(f);puts("wrote");return 0;}\n',
  reader:
    '#include <stdio.h>\nint main(void){char b[16]={0};FILE*f=fopen("data.txt","r");if(!f){puts("no data");return 1;}fgets(b,16,f);printf("read %s\\n",b);return 0;}\n',
  other: '#include <stdio.h>\nint main(void){puts("wrote, but another module");return 0;}\n',
  spin: 'int main(void){volatile int x=0;for(;;)x++;}\n',
};

let work: string;
let recipeDir: string;
let wrapper: string;
const modules: Record<string, string> = {};

async function sha(file: string): Promise<string> {
  return crypto
    .createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

/** The real Node WASI runtime, counting the runs it makes. */
function countingRuntime(): { runtime: WasmRuntime; runs: string[] } {
  const real = nodeWasiRuntime([wrapper]);
  const runs: string[] = [];
  return {
    runs,
    runtime: {
      ...real,
      run: (req) => {
        runs.push(req.wasmFile);
        return real.run(req);
      },
    },
  };
}

const kase = (example: string): CookbookCase => ({
  chapter: '1',
  recipe: 'files',
  example,
  name: `files.${example}`,
  key: `files.${example}`,
  scriptPath: path.join(recipeDir, `${example}.py`),
  recipeDir,
});

/** One pass over the recipe's cases in one fresh shared copy, as a RecipeRunner does. */
async function pass(
  side: CachedWasmSide,
  runtime: WasmRuntime,
  cases: Array<[string, string]>,
  timeoutMs = 20_000,
): Promise<RuntimeRun[]> {
  const cwd = await copyRecipe(recipeDir, work, 'wasm-side');
  const out: RuntimeRun[] = [];
  for (const [example, program] of cases) {
    const wasmFile = `${example}.wasm`;
    out.push(
      await side.run(kase(example), {
        runtime,
        module: await sha(modules[program]!),
        request: { cwd, wasmFile, env: {}, timeoutMs, capture: { headBytes: 4096, tailBytes: 4096 } },
        place: () => placeWasm(modules[program]!, path.join(cwd, wasmFile)),
      }),
    );
  }
  return out;
}

describe.skipIf(skipWithout([CLANG].filter((t) => !resolveExecutable(t))))(
  'wasm runs cached (real wasm, Node WASI)',
  () => {
    beforeAll(async () => {
      work = await fs.mkdtemp(path.join(os.tmpdir(), 'wasm-run-cache-'));
      recipeDir = path.join(work, 'cookbook', '1', 'files');
      await fs.mkdir(recipeDir, { recursive: true });
      for (const name of ['example1', 'example2', 'slow']) await fs.writeFile(path.join(recipeDir, `${name}.py`), '');
      wrapper = path.join(work, 'node-wrapper');
      await fs.writeFile(wrapper, `#!/bin/sh\nexec ${process.execPath} "$@"\n`, { mode: 0o755 });
      for (const [name, source] of Object.entries(PROGRAMS)) {
        await fs.writeFile(path.join(work, `${name}.c`), source);
        modules[name] = path.join(work, `${name}.wasm`);
        const r = await runProcess(
          [CLANG, '--target=wasm32-wasi', `--sysroot=${SYSROOT}`, '-O1', `${name}.c`, '-o', `${name}.wasm`],
          { cwd: work, timeoutMs: 120_000 },
        );
        if (r.exitCode !== 0) throw new Error(`${CLANG} failed: ${r.stderr.text}`);
      }
    });
    afterAll(() => fs.rm(work, { recursive: true, force: true }));

    const cache = () => path.join(work, 'wasm-runs');
    const cases: Array<[string, string]> = [
      ['example1', 'writer'],
      ['example2', 'reader'],
    ];

    it('runs every case the first time, then none: outputs and scratch paths come back', async () => {
      const first = countingRuntime();
      const a = await pass(new CachedWasmSide(cache(), recipeDir, true), first.runtime, cases);
      expect(first.runs).toEqual(['example1.wasm', 'example2.wasm']);
      expect(a[1]!.programStdout.text).toBe('read hello\n');
      const second = countingRuntime();
      const b = await pass(new CachedWasmSide(cache(), recipeDir, true), second.runtime, cases);
      expect(second.runs).toEqual([]);
      expect(b.every((r) => r.cached)).toBe(true);
      expect(b[1]!.programStdout.text).toBe('read hello\n');
      expect(b[0]!.cwd).not.toBe(a[0]!.cwd);
      expect(path.dirname(b[0]!.cwd)).toBe(path.dirname(b[1]!.cwd));
    });

    it('a changed module misses; a later case then finds what the cached one before it would have written', async () => {
      const runs = countingRuntime();
      const changed = await pass(new CachedWasmSide(cache(), recipeDir, true), runs.runtime, [
        ['example1', 'writer'],
        ['example2', 'other'],
      ]);
      // example1 hit; example2's module changed: example1 runs again first (its data.txt), then example2
      expect(runs.runs).toEqual(['example1.wasm', 'example2.wasm']);
      expect(changed[0]!.cached).toBe(true);
      expect(changed[1]!.cached).toBeFalsy();
      expect(changed[1]!.programStdout.text).toBe('wrote, but another module\n');
    });

    it('a rebuilt runtime (its executable changed) misses', async () => {
      const later = new Date(Date.now() + 5000);
      await fs.utimes(wrapper, later, later);
      const runs = countingRuntime();
      await pass(new CachedWasmSide(cache(), recipeDir, true), runs.runtime, cases);
      expect(runs.runs).toEqual(['example1.wasm', 'example2.wasm']);
    });

    it('keeps a timeout: the second time nothing waits for it', async () => {
      const first = countingRuntime();
      const [timedOut] = await pass(
        new CachedWasmSide(cache(), recipeDir, true),
        first.runtime,
        [['slow', 'spin']],
        1500,
      );
      expect(timedOut!.timedOut).toBe(true);
      const second = countingRuntime();
      const [again] = await pass(
        new CachedWasmSide(cache(), recipeDir, true),
        second.runtime,
        [['slow', 'spin']],
        1500,
      );
      expect(second.runs).toEqual([]);
      expect(again!.timedOut).toBe(true);
      expect(again!.cached).toBe(true);
    });

    it('runs every time when turned off', async () => {
      const runs = countingRuntime();
      await pass(new CachedWasmSide(null, recipeDir, true), runs.runtime, cases);
      await pass(new CachedWasmSide(null, recipeDir, true), runs.runtime, cases);
      expect(runs.runs.length).toBe(4);
    });
  },
);
