// The whole sweep of one py2wasm package: each translation unit of its static_src through clang
// (warnings + AST), the cast sites judged, the rewrite planned and applied. Kept in the cache folder
// by the package's and the SDK's fingerprints: about 30 s of CPU that a second `fix` does not repeat.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { py2wasmFingerprint, wasiSdkFingerprint } from '../../toolchain/fingerprint.ts';
import type { FileChange, FixSites } from '../types.ts';
import { emptyFacts, type AstFacts } from './ast-facts.ts';
import { castSites, type CastSite } from './cast-sites.ts';
import { sweepUnit, translationUnits, type UnitSweep } from './clang-sweep.ts';
import { applyEdits, planRewrite, type RewritePlan } from './rewrite.ts';

export interface PackageSweep {
  sites: CastSite[];
  plan: RewritePlan;
  changes: FileChange[];
  counts: FixSites;
}

export interface PackageSweepRequest {
  packageDir: string;
  wasiSdkDir: string;
  cacheDir: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

/** Bump when what a unit sweep records changes. */
const SWEEP_VERSION = 1;

async function unitSweeps(req: PackageSweepRequest): Promise<UnitSweep[]> {
  const key = crypto
    .createHash('sha256')
    .update(
      `${SWEEP_VERSION}\0${req.packageDir}\0${await py2wasmFingerprint(req.packageDir)}\0${await wasiSdkFingerprint(req.wasiSdkDir)}`,
    )
    .digest('hex')
    .slice(0, 24);
  const file = path.join(req.cacheDir, 'fix', `sweep-${key}.json`);
  const cached = await fs.readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as UnitSweep[],
    () => undefined,
  );
  if (cached) return cached;
  const units: UnitSweep[] = [];
  for (const unit of await translationUnits(req.packageDir)) {
    req.progress?.(`clang -Wcast-function-type-strict and the JSON AST of ${unit}`);
    const swept = await sweepUnit({
      clang: path.join(req.wasiSdkDir, 'bin', 'clang'),
      packageDir: req.packageDir,
      unit,
      timeoutMs: req.timeoutMs ?? 600_000,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    if (swept.cutOff) throw new Error(`clang's AST of ${unit} ended early: the sweep would be partial`);
    units.push(swept);
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(units));
  return units;
}

export async function sweepPackage(req: PackageSweepRequest): Promise<PackageSweep> {
  const units = await unitSweeps(req);
  const texts = new Map<string, Buffer>();
  const textOf = (file: string) => {
    let text = texts.get(file);
    if (!text) texts.set(file, (text = readFileSyncCached(file)));
    return text;
  };
  const rel = (file: string) => path.relative(req.packageDir, file);
  const sites = castSites(units, (file, line, col) => offsetOf(textOf(file), line, col));
  const facts = mergeFacts(units);
  const plan = planRewrite(sites, facts, textOf, rel);
  const files = [...new Set(plan.edits.map((e) => e.file))].sort();
  const changes = files.map((file) => ({
    path: `nuitka/${rel(file)}`,
    before: textOf(file).toString('utf8'),
    after: applyEdits(
      textOf(file),
      plan.edits.filter((e) => e.file === file),
    ).toString('utf8'),
  }));
  const changedCallees = new Set(plan.changed.map((c) => c.callee));
  const failing = sites.filter((s) => s.traps);
  const staticSrc = (f: string) => rel(f).startsWith('build/static_src/');
  const read = [...new Set(units.flatMap((u) => u.files))].filter(staticSrc).map((f) => path.basename(f));
  const allSrc = (await fs.readdir(path.join(req.packageDir, 'build', 'static_src'))).filter((f) => f.endsWith('.c'));
  const notRead = allSrc.filter((f) => !read.includes(f));
  return {
    sites,
    plan,
    changes,
    counts: {
      found: sites.length,
      failing: failing.length,
      changed: failing.filter((s) => changedCallees.has(s.callee!)).length,
      scope: [
        `parsed with clang ${units.map((u) => `${u.unit} (${u.errors.length} errors)`).join(' and ')}: the translation units Backend.scons compiles from static_src, which read ${read.length} of its ${allSrc.length} .c files`,
        `not read (not compiled into a py2wasm program): ${notRead.join(', ') || 'none'}`,
        "defines __IDE_ONLY__ (Nuitka's stand-in for the per-build __constants.h), _NUITKA_EXE and the _WASI_EMULATED_* of Nuitka's Scons files; code under other #if branches is not seen",
        `${sites.filter((s) => s.traps === undefined).length} of the ${sites.length} casts are of function pointer values, not functions: not judged`,
        ...units.flatMap((u) =>
          u.errors.slice(0, 3).map((e) => `clang error in ${u.unit}: ${e.replace(`${req.packageDir}/`, '')}`),
        ),
      ],
      skipped: plan.skipped.map((s) => ({ site: s.callee, why: s.why })),
    },
  };
}

function readFileSyncCached(file: string): Buffer {
  return readFileSync(file);
}

function offsetOf(text: Buffer, line: number, col: number): number | undefined {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    offset = text.indexOf(10, offset) + 1;
    if (offset === 0) return undefined;
  }
  return offset + col - 1;
}

function mergeFacts(units: UnitSweep[]): AstFacts {
  const facts = emptyFacts();
  for (const u of units) {
    facts.functions.push(...u.facts.functions);
    facts.casts.push(...u.facts.casts);
    facts.calls.push(...u.facts.calls);
    facts.refs.push(...u.facts.refs);
  }
  // a header's call or use, seen from each unit that includes it, counts once
  const once = <T extends { file: string; offset: number }>(xs: T[]) => [
    ...new Map(xs.map((x) => [`${x.file}\0${x.offset}`, x])).values(),
  ];
  return { functions: facts.functions, casts: once(facts.casts), calls: once(facts.calls), refs: once(facts.refs) };
}
