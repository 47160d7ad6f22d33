// The fix stage: for each failure group of the last report, the fix kind that speaks for it
// proposes a patch (or says why there is none); each patch is applied to a private copy of the
// py2wasm package and verified by re-running the group's cases and a sample of passing ones.
import fs from 'node:fs/promises';
import path from 'node:path';
import { failedInCpython } from '../classify/failure-side.ts';
import { groupFailures } from '../classify/group-failures.ts';
import { caseId, hasRun } from '../records.ts';
import type { RunEnvironment } from '../run/environment.ts';
import { compilerCacheStats, compilerCacheFor } from '../tools/compiler-cache.ts';
import { CaseErrorCode, type CaseRecord } from '../types.ts';
import { patchedPackage, patchKeyOf } from './package-copy.ts';
import { combineChanges } from './patch-text.ts';
import { fixKindFor } from './registry.ts';
import {
  leftOutOfAll,
  type AllFixesRun,
  type FixEntry,
  type FixesFile,
  type FixGroupRef,
  type NoFixEntry,
} from './results.ts';
import type { FixContext, FixGroup, ModuleCheck, ProposedFix, VerifiedCase } from './types.ts';
import { verifyCases, type CaseToVerify } from './verify.ts';

export interface FixRunRequest {
  env: RunEnvironment;
  /** The records of the last report. */
  records: CaseRecord[];
  /** Cases (`recipe.example`, `chapter/recipe.example`) or group ids to fix; empty: every group. */
  select: string[];
  /** Passing cases re-run per patch to show it breaks nothing. */
  samplePassing: number;
  /** Also apply every verified patch together and re-run the whole cookbook. */
  all: boolean;
  packageDir: string;
  wasiSdkDir: string;
  python: string;
  ccache?: string | null;
  scratchParent: string;
  signal: AbortSignal;
  say: (line: string) => void;
}

export interface FixRunResult {
  file: FixesFile;
  /** Patches by file name, with their changes (for writing and applying). */
  proposed: Array<{ entry: FixEntry; fix: ProposedFix }>;
}

const ref = (g: FixGroup): FixGroupRef => ({ id: g.id, label: g.label, cases: [...new Set(g.records.map(caseId))] });

/**
 * The failure groups to fix: the selected ones, else every group of the wasm side (a group where
 * CPython itself failed is the cookbook's own failure: no network, a missing module).
 */
export function fixGroups(records: CaseRecord[], select: string[]): FixGroup[] {
  const groups = groupFailures(records).map((g) => ({ id: g.id, label: g.key.label, records: g.records }));
  if (!select.length) return groups.filter((g) => !failedInCpython(g.records));
  const wanted = (g: FixGroup) =>
    select.some((s) => g.id === s || g.records.some((r) => caseId(r) === s || r.case === s));
  const chosen = groups.filter(wanted);
  const unknown = select.filter(
    (s) => !chosen.some((g) => g.id === s || g.records.some((r) => caseId(r) === s || r.case === s)),
  );
  if (unknown.length) throw new Error(`not a failing case or failure group of the last report: ${unknown.join(', ')}`);
  return chosen;
}

/** Passing records to re-run: the first case of as many recipes as asked, spread over chapters. */
function passingSample(records: CaseRecord[], targets: Set<string>, count: number): CaseRecord[] {
  const ok = records.filter((r) => r.code === CaseErrorCode.OK && targets.has(r.target.name));
  const firstOfRecipe = ok.filter(
    (r, i) => ok.findIndex((o) => o.chapter === r.chapter && o.recipe === r.recipe) === i,
  );
  const out: CaseRecord[] = [];
  const chapters = [...new Set(firstOfRecipe.map((r) => r.chapter))];
  for (let round = 0; out.length < count && round < firstOfRecipe.length; round++)
    for (const ch of chapters) {
      const pick = firstOfRecipe.filter((r) => r.chapter === ch)[round];
      if (pick && out.length < count) out.push(pick);
    }
  return out;
}

export async function runFixes(req: FixRunRequest): Promise<FixRunResult> {
  const groups = fixGroups(req.records, req.select);
  const noFix: NoFixEntry[] = [];
  const proposals = new Map<string, { fix: ProposedFix; groups: FixGroup[] }>();
  for (const group of groups) {
    if (failedInCpython(group.records)) {
      noFix.push({
        group: ref(group),
        reason: 'CPython itself failed: the wasm side never ran',
        evidence: [group.label],
      });
      continue;
    }
    const kind = fixKindFor(group);
    if (!kind) {
      noFix.push({ group: ref(group), reason: 'no fix kind knows this failure', evidence: [group.label] });
      continue;
    }
    const n = ref(group).cases.length;
    req.say(`${kind.kind}: ${group.label} (${n} case${n === 1 ? '' : 's'})`);
    const workDir = await fs.mkdtemp(path.join(req.scratchParent, 'fix-'));
    try {
      const proposal = await kind.propose(group, context(req, workDir));
      if ('none' in proposal) noFix.push({ group: ref(group), ...proposal.none });
      else {
        const key = patchKeyOf(req.packageDir, proposal.fix.changes);
        const known = proposals.get(key);
        if (known) known.groups.push(group);
        else proposals.set(key, { fix: proposal.fix, groups: [group] });
      }
    } catch (error) {
      if (req.signal.aborted) throw error;
      noFix.push({
        group: ref(group),
        kind: kind.kind,
        reason: `could not tell: ${(error as Error).message}`,
        evidence: [],
      });
    } finally {
      await fs.rm(workDir, { recursive: true, force: true });
    }
  }

  const proposed: FixRunResult['proposed'] = [];
  let n = 0;
  for (const { fix, groups: fixedGroups } of proposals.values()) {
    const patch = `${String(++n).padStart(2, '0')}-${fix.kind}-${fix.slug}.patch`;
    const failing = fixedGroups.flatMap((g) => g.records);
    const sample = passingSample(req.records, new Set(failing.map((r) => r.target.name)), req.samplePassing);
    req.say(`verifying ${patch}: ${failing.length} failing and ${sample.length} passing cases`);
    const { verified, compilerCache, moduleChecks } = await verify(
      req,
      fix.changes,
      [
        ...failing.map((record): CaseToVerify => ({ record, role: 'failing' })),
        ...sample.map((record): CaseToVerify => ({ record, role: 'passing' })),
      ],
      fix.checkModule,
    );
    const entry: FixEntry = {
      kind: fix.kind,
      title: fix.title,
      patch,
      files: fix.changes.map((c) => c.path),
      ...(fix.sites ? { sites: fix.sites } : {}),
      rootCause: fix.rootCause,
      groups: fixedGroups.map(ref),
      verified,
      ...(moduleChecks ? { moduleChecks } : {}),
      ok: verified.every((v) => v.after === 'OK') && (moduleChecks ?? []).every((m) => m.ok),
      ...(compilerCache ? { compilerCache } : {}),
    };
    proposed.push({ entry, fix });
  }

  const file: FixesFile = {
    version: 1,
    createdAt: new Date().toISOString(),
    tools: req.env.tools,
    fixes: proposed.map((p) => p.entry),
    noFix,
  };
  if (req.all && proposed.length) file.all = await verifyAll(req, proposed);
  return { file, proposed };
}

/**
 * Every patch that changed a failing case and broke no passing one, together; every case of the
 * last report re-run (not the bypassed ones, nor harness errors).
 */
async function verifyAll(req: FixRunRequest, proposed: FixRunResult['proposed']): Promise<AllFixesRun> {
  const leftOut = proposed.flatMap((p) => {
    const reason = leftOutOfAll(p.entry);
    return reason ? [{ patch: p.entry.patch, reason }] : [];
  });
  const usable = proposed.filter((p) => !leftOut.some((l) => l.patch === p.entry.patch));
  for (const l of leftOut) req.say(`--all: leaving out ${l.patch}: ${l.reason}`);
  const changes = combineChanges(usable.map((p) => p.fix.changes));
  const records = req.records.filter(hasRun);
  req.say(`--all: ${usable.length} patches together, re-running ${records.length} cases`);
  const { verified } = await verify(
    req,
    changes,
    records.map((record) => ({ record, role: record.code === CaseErrorCode.OK ? 'passing' : 'failing' })),
  );
  return { patches: usable.map((p) => p.entry.patch), ...(leftOut.length ? { leftOut } : {}), verified };
}

async function verify(
  req: FixRunRequest,
  changes: ProposedFix['changes'],
  cases: CaseToVerify[],
  checkModule?: ProposedFix['checkModule'],
): Promise<{ verified: VerifiedCase[]; compilerCache?: FixEntry['compilerCache']; moduleChecks?: ModuleCheck[] }> {
  const o = req.env.options;
  const patched = await patchedPackage(req.packageDir, changes, path.join(o.cacheDir, 'fix', 'packages'));
  const objects = req.ccache && o.compilerCache ? compilerCacheFor(o.cacheDir, o.cacheMaxBytes, req.ccache) : undefined;
  const before = objects ? await compilerCacheStats(objects) : undefined;
  let compiles = 0;
  const moduleChecks: ModuleCheck[] = [];
  const verified = await verifyCases({
    env: req.env,
    patched,
    python: req.python,
    cases,
    scratchParent: req.scratchParent,
    signal: req.signal,
    onCase: async (v, record) => {
      if (record.compile && !record.compile.cached) compiles++;
      req.say(`  ${v.case} on ${v.target}: ${v.before} -> ${v.after}${v.afterMessage ? ` (${v.afterMessage})` : ''}`);
      const wasmPath = record.compile?.wasmPath;
      if (!checkModule || !wasmPath) return;
      const check = { case: v.case, target: v.target, ...checkModule(await fs.readFile(wasmPath)) };
      moduleChecks.push(check);
      if (!check.ok) req.say(`  ${v.case}: its module compiled from the patched package has ${check.found}`);
    },
  });
  const checked = checkModule ? { moduleChecks } : {};
  if (!objects || !before) return { verified, ...checked };
  const after = await compilerCacheStats(objects);
  return {
    verified,
    compilerCache: { compiles, hits: after.hits - before.hits, misses: after.misses - before.misses },
    ...checked,
  };
}

function context(req: FixRunRequest, workDir: string): FixContext {
  return {
    packageDir: req.packageDir,
    wasiSdkDir: req.wasiSdkDir,
    workDir,
    cacheDir: req.env.options.cacheDir,
    signal: req.signal,
    progress: (m) => req.say(`  ${m}`),
    runOn: async (record, target) => {
      if (!req.env.runtimes[target.runtime] || (target.compiler === 'wasi-python' && !req.env.wasiPython))
        return undefined;
      let out: CaseRecord | undefined;
      await verifyCases({
        env: req.env,
        python: req.python,
        cases: [{ record: { ...record, target }, role: 'failing' }],
        scratchParent: req.scratchParent,
        signal: req.signal,
        onCase: (_v, r) => {
          out = r;
        },
      });
      return out;
    },
  };
}
