import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/**
 * Outcomes of one recipe's runs on one side (the CPython side, a target's wasm side), stored by a
 * key of everything a run depends on (the caller's). With a shared scratch copy (scope 'recipe') a
 * case taken from the cache does not run, so the copy lacks what it would have written: before the
 * first case of that copy that misses, the cases taken from the cache run again, in order, their
 * outcomes discarded, so it sees what it would have. The cases before a case in its copy are part
 * of its key (the caller's `key(before)`).
 */
export interface SideRun<O> {
  /** The case (`recipe.example`). */
  name: string;
  /** Its scratch copy; the copy's parent (HOME and TMPDIR are in it) is what outputs name. */
  cwd: string;
  /** Its key, from the cases that ran before it in the copy; null: always run, never stored. */
  key: ((before: string[]) => Promise<string>) | null;
  execute: () => Promise<O>;
  /** Whether an outcome says something about the case (not a process that could not start, not a cancelled one). */
  storable: (outcome: O) => boolean;
  /** Whether a stored outcome can serve this run (default: always); one that cannot is run again. */
  usable?: (outcome: O) => boolean;
}

interface Entry<O> {
  version: number;
  /** The scratch root the run happened in (the copy's parent). */
  scratchRoot: string;
  outcome: O;
}

export class SideCache<O extends { cached?: boolean }> {
  /** Cases run (or taken from the cache) in each scratch copy, in order. */
  private readonly ran = new Map<string, string[]>();
  /** Runs of a copy's cases taken from the cache since its files last matched a real run. */
  private readonly skipped = new Map<string, Array<() => Promise<unknown>>>();

  constructor(
    private readonly dir: string | null,
    private readonly sharedCopy: boolean,
    private readonly version: number,
  ) {}

  async run(run: SideRun<O>): Promise<O> {
    const before = this.sharedCopy ? (this.ran.get(run.cwd) ?? []) : [];
    if (this.sharedCopy) this.ran.set(run.cwd, [...before, run.name]);
    if (!this.dir || !run.key) {
      await this.replaySkipped(run.cwd);
      return run.execute();
    }
    const key = await run.key(before);
    const scratchRoot = path.dirname(run.cwd);
    const found = await this.read(key, scratchRoot);
    const hit = found && (run.usable?.(found) ?? true) ? found : undefined;
    if (hit) {
      if (this.sharedCopy) this.skipped.set(run.cwd, [...(this.skipped.get(run.cwd) ?? []), run.execute]);
      return hit;
    }
    await this.replaySkipped(run.cwd);
    const outcome = await run.execute();
    if (run.storable(outcome)) await this.write(key, scratchRoot, outcome);
    return outcome;
  }

  /** Runs the cases taken from the cache in this copy, so the copy holds what they would have written. */
  private async replaySkipped(cwd: string): Promise<void> {
    const skipped = this.skipped.get(cwd) ?? [];
    this.skipped.delete(cwd);
    for (const execute of skipped) await execute();
  }

  private file(key: string): string {
    return path.join(this.dir!, key.slice(0, 2), `${key}.json`);
  }

  private async read(key: string, scratchRoot: string): Promise<O | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
    const entry = safeParse<Entry<O>>(text);
    if (entry?.version !== this.version) return undefined;
    // the outcome names the scratch folder it ran in (cwd, output, command): say the one this run uses
    const inJson = (p: string) => JSON.stringify(p).slice(1, -1);
    const moved = safeParse<Entry<O>>(text.replaceAll(inJson(entry.scratchRoot), inJson(scratchRoot)));
    return moved ? { ...moved.outcome, cached: true } : undefined;
  }

  private async write(key: string, scratchRoot: string, outcome: O): Promise<void> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const entry: Entry<O> = { version: this.version, scratchRoot, outcome };
    await writeFileAtomic(file, JSON.stringify(entry)).catch(() => undefined);
  }
}

function safeParse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/**
 * A side's key: what every run depends on (the entry version, the recipe's files, the script, the
 * cases before it in its copy) and the side's own inputs (`own`), hashed.
 */
export function sideKey(
  version: number,
  recipe: string,
  scriptPath: string,
  before: string[],
  own: Record<string, unknown>,
): string {
  const common = { v: version, recipe, script: path.basename(scriptPath), before };
  return crypto
    .createHash('sha256')
    .update(JSON.stringify({ ...common, ...own }))
    .digest('hex');
}
