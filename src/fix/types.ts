// The contract between the fix stage and its fix kinds. A fix kind is one file in src/fix/kinds/
// exporting a `FixKind`, listed in src/fix/registry.ts: it looks at a failure group of the last
// report and proposes a patch to the py2wasm package (or says why there is none); the stage applies
// the patch to a private copy of the package, re-runs the cases and writes the verified patch.
import type { CaseRecord, OutcomeName, TargetSpec } from '../types.ts';

/** A failure group of the last report, as a fix kind sees it. */
export interface FixGroup {
  /** The report's failure group id (classify/group-failures.ts). */
  id: string;
  /** The group's one-line label: the trap kind, the final exception line, ... */
  label: string;
  /** One record per case and target, with their diagnoses. */
  records: CaseRecord[];
}

/** One file a patch changes, its path from a py2wasm checkout's root (`nuitka/build/static_src/X.c`). */
export interface FileChange {
  path: string;
  before: string;
  after: string;
}

/** What a sweep for every site of one bug looked at and found: counts a reader can check. */
export interface FixSites {
  /** Sites the search found (e.g. clang's warnings). */
  found: number;
  /** Of those, the sites that fail in wasm. */
  failing: number;
  /** Of those, the sites the patch changes. */
  changed: number;
  /** What was looked at, one line each: files parsed, files not parsed and why. */
  scope: string[];
  /** Failing sites the patch leaves alone, and why. */
  skipped: Array<{ site: string; why: string }>;
}

/** A patch to the py2wasm package. */
export interface ProposedFix {
  kind: string;
  /** One line: what the patch does. */
  title: string;
  /** Short name for the patch file: `NN-<kind>-<slug>.patch`. */
  slug: string;
  /** Why the cases fail, for fixes.md (Markdown). */
  rootCause: string;
  changes: FileChange[];
  sites?: FixSites;
  /**
   * Checks a module compiled from the patched package for what the patch should have changed in it
   * (a link flag leaves no trace in the cases' outcomes alone); run on each verification compile.
   */
  checkModule?: (wasm: Uint8Array) => { ok: boolean; found: string };
}

/** What a module compiled from the patched package showed of the patch. */
export interface ModuleCheck {
  case: string;
  target: string;
  ok: boolean;
  /** What the module has, in words (`an 8 MiB stack placed first`). */
  found: string;
}

/** Why a group gets no patch, with what shows it. */
export interface NoKnownFix {
  kind: string;
  reason: string;
  /** What was looked at, one line each (a re-run elsewhere, a diagnosis, a message). */
  evidence: string[];
}

export type FixProposal = { fix: ProposedFix } | { none: NoKnownFix };

/** What a fix kind's `propose` gets. Everything it starts must stop when `signal` aborts. */
export interface FixContext {
  /** The py2wasm package (`nuitka/`) the cases were compiled with. Read it; never write it. */
  packageDir: string;
  /** The WASI SDK py2wasm compiles with (`bin/clang`, `share/wasi-sysroot`). */
  wasiSdkDir: string;
  /** A folder of this proposal's own, removed afterwards. */
  workDir: string;
  /** The cache folder: a kind may keep what it computed there, keyed by what it read. */
  cacheDir: string;
  /**
   * Runs one of the group's cases on another target (e.g. `wasi-python+node`: py2wasm's own
   * interpreter on the same runtime), as evidence. Undefined when that target cannot run here.
   */
  runOn?(record: CaseRecord, target: TargetSpec): Promise<CaseRecord | undefined>;
  signal: AbortSignal;
  /** Say what is happening now (shown as progress). */
  progress(message: string): void;
}

export interface FixKind {
  kind: string;
  /** Bump when what `propose` returns changes (it is part of cache keys). */
  version: number;
  /** Whether it proposes patches; false for a kind that only says why a failure has none. */
  patches: boolean;
  /** Cheap and pure: whether this kind has something to say about the group. */
  appliesTo(group: FixGroup): boolean;
  /**
   * A patch, or why there is none. Kinds that sweep the whole package for one bug may return the
   * same patch for several groups: the stage keeps one per patch text. Throw (an Error a user
   * understands) when it cannot tell; the stage records that for the group and goes on.
   */
  propose(group: FixGroup, ctx: FixContext): Promise<FixProposal>;
}

/** One case run before and after a patch. */
export interface VerifiedCase {
  /** `chapter/recipe.example` */
  case: string;
  target: string;
  before: OutcomeName;
  after: OutcomeName;
  /** What it fails on after the patch, when it fails. */
  afterMessage?: string;
  /** Why it was re-run: a case of the group the patch is for, or one that passed before (to show nothing broke). */
  role: 'failing' | 'passing';
}
