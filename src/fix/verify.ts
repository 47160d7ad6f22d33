// Verifying a patch: the cases re-run through the normal pipeline with py2wasm compiling from the
// patched copy of its package (compile slots link to it as they link to the install). The compile
// cache key carries the patch, so patched and unpatched builds never mix; the compiler cache makes
// the C of each case's own module a hit and recompiles only what the patch changed.
import path from 'node:path';
import { parseTarget } from '../config/options.ts';
import type { CookbookCase, CookbookRecipe } from '../discover/discover.ts';
import { discoverCookbook } from '../discover/discover.ts';
import { caseId, outcomeName } from '../records.ts';
import type { RunEnvironment } from '../run/environment.ts';
import { RecipeRunner } from '../run/pipeline.ts';
import { prepareCompileSlots } from '../tools/py2wasm-slots.ts';
import type { CaseRecord, TargetSpec } from '../types.ts';
import type { PatchedPackage } from './package-copy.ts';
import type { VerifiedCase } from './types.ts';

export interface CaseToVerify {
  record: CaseRecord;
  role: VerifiedCase['role'];
}

export interface VerifyRequest {
  /** The run's environment, as the unpatched run had it. */
  env: RunEnvironment;
  /** The patched package; undefined re-runs with the package as it is (the cases' own re-run). */
  patched?: PatchedPackage;
  /** The Python that runs py2wasm. */
  python: string;
  cases: CaseToVerify[];
  scratchParent: string;
  signal?: AbortSignal;
  /** Each case as it is judged (awaited: it may read the case's module). */
  onCase?: (v: VerifiedCase, record: CaseRecord) => void | Promise<void>;
}

/** The environment of a run whose py2wasm compiles from `patched`. */
export async function patchedEnvironment(
  env: RunEnvironment,
  patched: PatchedPackage,
  python: string,
): Promise<RunEnvironment> {
  const o = env.options;
  const slots = await prepareCompileSlots({
    packageDir: patched.packageDir,
    python,
    dir: path.join(o.cacheDir, 'py2wasm-slots'),
    count: Math.max(1, o.compileSlots),
  });
  return {
    ...env,
    py2wasm: {
      ...env.py2wasm!,
      command: slots[0]!,
      slots,
      fingerprint: `${env.py2wasm!.fingerprint}+patch:${patched.patchKey}`,
      // links lead into the real package: no bytecode is written there
      env: { ...env.py2wasm!.env, PYTHONDONTWRITEBYTECODE: '1' },
    },
    tools: { ...env.tools, 'py2wasm.fingerprint': `${env.py2wasm!.fingerprint}+patch:${patched.patchKey}` },
  };
}

const sameCase = (r: CaseRecord, k: CookbookCase) =>
  r.chapter === k.chapter && r.recipe === k.recipe && r.example === k.example;

/**
 * Runs each case again on its record's target. A case that follows others in its recipe runs after
 * them in the same copy (they may write what it reads); their records are not kept.
 */
export async function verifyCases(req: VerifyRequest): Promise<VerifiedCase[]> {
  if (!req.env.py2wasm) throw new Error('py2wasm is not set up: nothing can be compiled to verify a patch');
  const env = req.patched ? await patchedEnvironment(req.env, req.patched, req.python) : req.env;
  const recipes = discoverCookbook(env.options.root).flatMap((c) => c.recipes);
  const out: VerifiedCase[] = [];
  const byRecipeAndTarget = new Map<string, { recipe: CookbookRecipe; target: TargetSpec; cases: CaseToVerify[] }>();
  for (const c of req.cases) {
    const recipe = recipes.find((r) => r.cases.some((k) => sameCase(c.record, k)));
    const target =
      env.options.targets.find((t) => t.name === c.record.target.name) ?? parseTarget(c.record.target.name);
    if (!recipe) throw new Error(`${caseId(c.record)} is no longer in the cookbook at ${env.options.root}`);
    const key = `${recipe.dir}\0${target.name}`;
    const entry = byRecipeAndTarget.get(key) ?? { recipe, target, cases: [] };
    entry.cases.push(c);
    byRecipeAndTarget.set(key, entry);
  }
  for (const { recipe, target, cases } of byRecipeAndTarget.values()) {
    const last = Math.max(...cases.map((c) => recipe.cases.findIndex((k) => sameCase(c.record, k))));
    const runner = new RecipeRunner(
      { ...env, options: { ...env.options, targets: [target] } },
      recipe,
      req.scratchParent,
    );
    try {
      for (const kase of recipe.cases.slice(0, last + 1)) {
        req.signal?.throwIfAborted();
        const [record] = await runner.runCase(kase, req.signal);
        const wanted = cases.find((c) => sameCase(c.record, kase));
        if (!wanted || !record) continue;
        const after = outcomeName(record);
        const verified: VerifiedCase = {
          case: caseId(wanted.record),
          target: target.name,
          before: outcomeName(wanted.record),
          after,
          role: wanted.role,
          ...(after !== 'OK' ? { afterMessage: record.msg.trim().split('\n').at(-1) ?? '' } : {}),
        };
        out.push(verified);
        await req.onCase?.(verified, record);
      }
    } finally {
      await runner.dispose();
    }
  }
  return out;
}
