import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { withFileLock } from '../process/file-lock.ts';
import { zstdDecode, zstdEncode, ZstdMissingError } from '../tools/zstd.ts';
import { readJson, type StoredModule } from './compile-cache-meta.ts';

export type { StoredModule } from './compile-cache-meta.ts';
import { OWNER_MARK } from './scratch.ts';

/** The module a family's entries are encoded against: its first stored module, kept whole. */
interface BaseRecord {
  sha: string;
  object: string;
}

/** Plain files (path, inode, mtime, size) whose hash this process has checked. */
const verified = new Set<string>();

export async function sha256File(file: string): Promise<string> {
  return crypto
    .createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

/**
 * The stored objects of the compile cache, their family bases, and plain copies of the modules in
 * use (`plain/<sha>.wasm`, read-only): every reader of a wasm (scratch copy, debug re-run,
 * symbolizer, probe) gets a plain file, decoded once and checked against its sha256.
 */
export class ModuleStore {
  readonly objectsDir: string;
  readonly plainDir: string;
  readonly basesDir: string;
  private readonly tmpDir: string;
  private readonly locksDir: string;

  constructor(readonly dir: string) {
    this.objectsDir = path.join(dir, 'objects');
    this.plainDir = path.join(dir, 'plain');
    this.basesDir = path.join(dir, 'bases');
    this.tmpDir = path.join(dir, 'tmp');
    this.locksDir = path.join(dir, 'locks');
  }

  plainPath(sha: string): string {
    return path.join(this.plainDir, sha.slice(0, 2), `${sha}.wasm`);
  }

  private objectName(sha: string, base?: string): string {
    return path.join('objects', sha.slice(0, 2), `${sha}-${base ?? 'full'}.zst`);
  }

  /** Stores the module at `wasm` (sha256 `sha`) for `family` and leaves a plain copy of it. */
  async put(wasm: string, sha: string, family: string): Promise<StoredModule> {
    await this.placePlain(wasm, sha);
    const existing = await this.existingObject(sha);
    if (existing) return existing;
    let base = await this.baseOf(family);
    let basePlain = base && base.sha !== sha ? await this.plain(base.sha) : undefined;
    if (base && base.sha !== sha && !basePlain) {
      // the base no longer decodes to itself: this module becomes the family's base instead
      await this.dropBase(family, base);
      base = undefined;
    }
    base ??= await this.becomeBase(family, wasm, sha);
    if (base.sha === sha) return this.describe(base.object);
    basePlain ??= await this.plain(base.sha);
    if (!basePlain) return this.encode(wasm, this.objectName(sha));
    return this.encode(wasm, this.objectName(sha, base.sha), basePlain);
  }

  /** Removes a stored object that does not decode to its module, so no later store reuses it. */
  async drop(stored: StoredModule): Promise<void> {
    await fs.rm(path.join(this.dir, stored.object), { force: true });
  }

  /** The plain copy of module `sha`, decoded from its object when absent; undefined when it cannot be had whole. */
  async plain(sha: string, stored?: StoredModule): Promise<string | undefined> {
    const file = this.plainPath(sha);
    if (await this.intact(file, sha)) return file;
    const found = stored ?? (await this.existingObject(sha));
    if (!found) return undefined;
    const basePlain = found.base ? await this.plain(found.base) : undefined;
    if (found.base && !basePlain) return undefined;
    return this.withTmp(sha, async (tmp) => {
      try {
        await zstdDecode(path.join(this.dir, found.object), tmp, basePlain ? { base: basePlain } : {});
      } catch (error) {
        if (error instanceof ZstdMissingError) throw error;
        return undefined; // a missing or damaged object: the caller drops the entry
      }
      if ((await sha256File(tmp)) !== sha) return undefined;
      await this.install(tmp, file);
      return file;
    });
  }

  /** Whether a plain copy is there and hashes to `sha` (checked once per process per file state). */
  private async intact(file: string, sha: string): Promise<boolean> {
    const st = await fs.stat(file).catch(() => undefined);
    if (!st) return false;
    const state = `${file}\0${st.ino}\0${st.mtimeMs}\0${st.size}`;
    if (!verified.has(state)) {
      if ((await sha256File(file)) !== sha) {
        await fs.rm(file, { force: true });
        return false;
      }
      verified.add(state);
    }
    const now = new Date();
    await fs.utimes(file, now, now).catch(() => undefined);
    return true;
  }

  private async placePlain(wasm: string, sha: string): Promise<void> {
    if (await this.intact(this.plainPath(sha), sha)) return;
    await this.withTmp(sha, async (tmp) => {
      await fs.copyFile(wasm, tmp);
      await this.install(tmp, this.plainPath(sha));
    });
  }

  /** Read-only, renamed into place: readers see the whole file or none. */
  private async install(tmp: string, dest: string): Promise<void> {
    await fs.chmod(tmp, 0o444);
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.rename(tmp, dest);
  }

  private async encode(wasm: string, object: string, base?: string): Promise<StoredModule> {
    const dest = path.join(this.dir, object);
    await this.withTmp(path.basename(object), async (tmp) => {
      await zstdEncode(wasm, tmp, base ? { base } : {});
      await this.install(tmp, dest);
    });
    return this.describe(object);
  }

  private async describe(object: string): Promise<StoredModule> {
    const base = /-([0-9a-f]{64})\.zst$/.exec(object)?.[1];
    const { size } = await fs.stat(path.join(this.dir, object));
    return { object, bytes: size, ...(base ? { base } : {}) };
  }

  /** An object already stored for `sha` (another key with the same module, a base). */
  async existingObject(sha: string): Promise<StoredModule | undefined> {
    const names = await fs.readdir(path.join(this.objectsDir, sha.slice(0, 2))).catch(() => [] as string[]);
    const name = names.find((n) => n === `${sha}-full.zst`) ?? names.find((n) => n.startsWith(`${sha}-`));
    return name ? this.describe(path.join('objects', sha.slice(0, 2), name)) : undefined;
  }

  private baseFile(family: string): string {
    return path.join(this.basesDir, `${crypto.createHash('sha256').update(family).digest('hex').slice(0, 24)}.json`);
  }

  private async baseOf(family: string): Promise<BaseRecord | undefined> {
    const record = await readJson<BaseRecord>(this.baseFile(family));
    if (!record) return undefined;
    const present = await fs.stat(path.join(this.dir, record.object)).catch(() => undefined);
    return present ? record : undefined;
  }

  /** The first module of a family is stored whole and becomes its base (one per family, under a lock). */
  private async becomeBase(family: string, wasm: string, sha: string): Promise<BaseRecord> {
    const file = this.baseFile(family);
    return withFileLock(
      { lockfilePath: path.join(this.locksDir, `base-${path.basename(file, '.json')}.lock`) },
      async () => {
        const raced = await this.baseOf(family);
        if (raced) return raced;
        const stored = await this.encode(wasm, this.objectName(sha));
        const record: BaseRecord = { sha, object: stored.object };
        await fs.mkdir(this.basesDir, { recursive: true });
        await writeFileAtomic(file, JSON.stringify({ ...record, family }));
        return record;
      },
    );
  }

  private async dropBase(family: string, base: BaseRecord): Promise<void> {
    const file = this.baseFile(family);
    if ((await readJson<BaseRecord>(file))?.sha === base.sha) await fs.rm(file, { force: true });
    await fs.rm(path.join(this.dir, base.object), { force: true });
  }

  /** A work file of this process in `tmp/` (swept if the process dies), removed after `fn`. */
  private async withTmp<T>(label: string, fn: (tmp: string) => Promise<T>): Promise<T> {
    await fs.mkdir(this.tmpDir, { recursive: true });
    const work = await fs.mkdtemp(path.join(this.tmpDir, `${label.slice(0, 12)}${OWNER_MARK}${process.pid}-`));
    try {
      return await fn(path.join(work, 'module'));
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  }
}
