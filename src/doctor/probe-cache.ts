import fs from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';

/**
 * Answers of the doctor's probes (`python3 --version`, the nuitka package behind py2wasm, ...),
 * kept in one JSON file and keyed by the probe and the path, size and mtime of every executable it
 * depends on: a tool replaced or upgraded in place is probed again. A shell script (a pyenv shim)
 * may answer differently per folder or PYENV_VERSION, so those join its key. Starting a handful of
 * processes costs ~0.5 s at the start of every run; reading this file costs a few milliseconds.
 */
export class ProbeCache {
  private entries: Record<string, unknown> | undefined;
  private dirty = false;

  constructor(readonly file: string) {}

  private async load(): Promise<Record<string, unknown>> {
    this.entries ??= await fs.readFile(this.file, 'utf8').then(
      (t) => JSON.parse(t) as Record<string, unknown>,
      () => ({}),
    );
    return this.entries;
  }

  /** `compute()`'s answer for `probe`, from the file when `files` are unchanged; kept only when `keep` says so. */
  async get<T>(
    probe: readonly string[],
    files: readonly string[],
    compute: () => Promise<T>,
    keep: (value: T) => boolean = () => true,
  ): Promise<T> {
    const [entries, stamps] = await Promise.all([this.load(), Promise.all(files.map(fileStamp))]);
    const key = JSON.stringify([probe, stamps]);
    if (key in entries) return entries[key] as T;
    const value = await compute();
    if (keep(value) && !stamps.includes('missing')) {
      entries[key] = value;
      this.dirty = true;
    }
    return value;
  }

  /** Writes the file when something new was probed, keeping the 64 most recent entries. */
  async save(): Promise<void> {
    if (!this.dirty || !this.entries) return;
    const used = Object.fromEntries(Object.entries(this.entries).slice(-64));
    await writeFileAtomic(this.file, JSON.stringify(used)).catch(() => undefined);
    this.dirty = false;
  }
}

async function fileStamp(file: string): Promise<string> {
  try {
    const real = await fs.realpath(file);
    const st = await fs.stat(real, { bigint: true });
    const head = st.size < 64n * 1024n ? await fs.readFile(real, 'latin1').then((t) => t.slice(0, 2)) : '';
    const context = head === '#!' ? `:${process.cwd()}:${process.env.PYENV_VERSION ?? ''}` : '';
    return `${real}:${st.size}:${st.mtimeNs}:${st.ino}${context}`;
  } catch {
    return 'missing';
  }
}
