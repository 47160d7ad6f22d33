import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/errors.ts';
import type { ResolvedOptions } from '../config/options.ts';
import { discoverCookbook } from '../discover/discover.ts';
import { readRunResults } from '../records/read.ts';
import { caseCosts } from '../shards/costs.ts';
import { planBins, shardBalance, type Bin } from '../shards/plan.ts';
import { cookbookUnits, type CookbookUnit } from '../shards/units.ts';
import { chapterModuleFrom, writeGeneratedFiles } from './chapter-files.ts';

/** What one balanced test file runs of a chapter: whole recipes, and the entries that cannot be read. */
export interface CasesPart {
  chapter: string;
  recipes: string[];
  broken: string[];
}

export interface BalancedPlan {
  /** Per test file, in order: its parts, chapter by chapter. */
  files: CasesPart[][];
  bins: Bin<CookbookUnit>[];
  /** Names the plan: the shards of one run must all have the same (it is in the file names). */
  id: string;
  /** The results.json the costs came from; null: each case counted as 1. */
  durations: string | null;
  /** Why the default durations file was not used, when it exists but cannot be read. */
  note?: string;
  /** Cases the durations did not have (costed at the median of those they had). */
  unmeasured: number;
  /** The longest shard over an even split, as planned. */
  ratio: number;
}

/** `cases-03-of-08-<plan>.test.ts`: the file's place, how many there are, and which plan made them. */
const FILE_RE = /(?:^|[\\/])cases-(\d+)-of-(\d+)-([0-9a-f]{8})\.test\.ts$/;

export function balancedFileName(index: number, count: number, plan: string): string {
  const width = String(count).length;
  return `cases-${String(index).padStart(width, '0')}-of-${count}-${plan}.test.ts`;
}

export function parseBalancedFileName(file: string): { index: number; count: number; plan: string } | undefined {
  const m = FILE_RE.exec(file);
  return m ? { index: Number(m[1]), count: Number(m[2]), plan: m[3]! } : undefined;
}

function partsOf(units: readonly CookbookUnit[]): CasesPart[] {
  const parts = new Map<string, CasesPart>();
  for (const u of units) {
    const part = parts.get(u.chapter) ?? { chapter: u.chapter, recipes: [], broken: [] };
    parts.set(u.chapter, part);
    if (u.recipe !== undefined) part.recipes.push(u.recipe);
    if (u.broken !== undefined) part.broken.push(u.broken);
  }
  return [...parts.values()];
}

/**
 * The selected cases spread over `options.shardFiles` test files for `shards` shards, weighed by
 * the durations file (shardDurations, else the report folder's results.json). Every shard computes
 * the same plan from the same cookbook, selection and durations. A shardDurations file that cannot
 * be read is an error; a default one that cannot be read leaves each case counted as 1.
 */
export async function planBalancedFiles(options: ResolvedOptions, shards: number): Promise<BalancedPlan> {
  const file = options.shardDurations ?? path.join(options.reportDir, 'results.json');
  let costs = new Map<string, number>();
  let durations: string | null = null;
  let note: string | undefined;
  try {
    costs = caseCosts((await readRunResults(file)).records);
    durations = file;
  } catch (error) {
    if (options.shardDurations) throw new ConfigError(`shardDurations: ${(error as Error).message}`);
    if (fs.existsSync(file)) note = `${(error as Error).message}: each case counted as 1`;
  }
  if (options.shardFiles < shards) {
    throw new ConfigError(
      `shardFiles is ${options.shardFiles}, fewer than the ${shards} shards of --shard: give at least one test file per shard (PY2WASM_SHARD_FILES=${shards}, or ${shards * 2} for 2 workers a shard)`,
    );
  }
  const chapters = discoverCookbook(options.root, {
    chapters: options.chapters,
    cases: options.cases,
    exclude: options.exclude,
  });
  const units = cookbookUnits(chapters, costs);
  const bins = planBins(units, options.shardFiles, shards);
  const files = bins.map((b) => partsOf(b.units));
  const id = crypto.createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 8);
  const unmeasured = durations ? units.reduce((n, u) => n + u.unmeasured, 0) : 0;
  return { files, bins, id, durations, ...(note ? { note } : {}), unmeasured, ratio: shardBalance(bins).ratio };
}

/** Writes the plan's test files into the cookbook's generated folder (and removes its other files). Returns their paths. */
export function writeBalancedFiles(dir: string, cookbookRoot: string, plan: BalancedPlan): string[] {
  const importPath = chapterModuleFrom(dir);
  const count = plan.files.length;
  const files = new Map(
    plan.files.map((parts, i) => [
      balancedFileName(i + 1, count, plan.id),
      [
        `// Written by vitest-py2wasm: test file ${i + 1} of ${count} of the cookbook's cases, spread by expected cost (shardFiles). Do not edit: it is rewritten at every run.`,
        `import { defineCookbookCases } from '${importPath}';`,
        '',
        `defineCookbookCases(${i + 1}, ${JSON.stringify(parts, null, 2)});`,
        '',
      ].join('\n'),
    ]),
  );
  return writeGeneratedFiles(dir, cookbookRoot, files);
}

/**
 * At a merge: whether the reports came from one plan, whole. Shards that planned differently
 * (another durations file, another selection) ran some cases twice and others never; a missing
 * blob lost a file's cases. Returns what is wrong, or undefined.
 */
export function balancedFilesProblem(moduleIds: readonly string[]): string | undefined {
  const seen = new Map<string, { count: number; indices: Set<number> }>();
  for (const id of moduleIds) {
    const f = parseBalancedFileName(id);
    if (!f) continue;
    const entry = seen.get(f.plan) ?? { count: f.count, indices: new Set<number>() };
    entry.indices.add(f.index);
    seen.set(f.plan, entry);
  }
  if (seen.size > 1) {
    return `the shards ran differently balanced test files (plans ${[...seen.keys()].join(', ')}): cases may be missing or counted twice. Every shard must select the same cases and read the same durations (shardDurations)`;
  }
  for (const { count, indices } of seen.values()) {
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !indices.has(i));
    if (missing.length)
      return `the merged reports hold ${indices.size} of the ${count} balanced test files (missing: ${missing.join(', ')}): the cases of the missing ones are not in the report; is a shard's blob report missing?`;
  }
  return undefined;
}

/** What the run says about its balanced files, once, before the cases. */
export function balancedFilesLine(
  plan: BalancedPlan,
  shard: { index: number; count: number } | undefined,
  root: string,
): string {
  const recipes = plan.bins.reduce((n, b) => n + b.units.filter((u) => u.recipe !== undefined).length, 0);
  const by = plan.durations
    ? `by the durations in ${path.relative(root, plan.durations) || plan.durations}${plan.unmeasured ? ` (${plan.unmeasured} cases not in it: the median)` : ''}`
    : `by case count${plan.note ? ` (${plan.note})` : ' (no earlier results.json)'}`;
  const mine = shard ? plan.bins.filter((b) => b.shard === shard.index).map((b) => b.index) : [];
  const which = shard
    ? `; shard ${shard.index}/${shard.count} runs file${mine.length > 1 ? 's' : ''} ${mine.join(', ')}`
    : '';
  return `vitest-py2wasm: ${plan.files.length} test files of ${recipes} recipes, balanced ${by}${which}; planned longest shard ${plan.ratio.toFixed(2)}x an even share (plan ${plan.id})`;
}
