import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '../process/run.ts';
import { listTree } from '../toolchain/fingerprint.ts';

/** Folders of a WAMR tree that hold no source of iwasm: VCS data and in-tree build folders. */
const SKIP_DIR_RE = /(^|\/)(\.git|build(?!-scripts$)[^/]*|node_modules)$/;

async function git(checkout: string, args: string[]): Promise<string | undefined> {
  const out = await runProcess(['git', '-C', checkout, ...args], {
    cwd: checkout,
    timeoutMs: 60_000,
    capture: { headBytes: 64 << 20, tailBytes: 0 },
  });
  return out.exitCode === 0 ? out.stdout.text : undefined;
}

/**
 * What iwasm is built from, as a short key: for a git checkout its tree at HEAD plus a hash of the
 * work-tree diff and untracked files (`git:<head>` when clean, `git:<head>+<hash>` when edited),
 * else a hash of every file's path and content (`tree:<hash>`). Build folders never count.
 */
export async function wamrFingerprint(checkout: string): Promise<string> {
  await fs.access(path.join(checkout, 'product-mini', 'platforms', 'linux', 'CMakeLists.txt')).catch(() => {
    throw new Error(`${checkout} is not a WAMR source tree: product-mini/platforms/linux/CMakeLists.txt is missing`);
  });
  // the tree of this folder at HEAD, not the commit: a checkout inside a bigger repository is keyed by its own files
  const head = (await git(checkout, ['rev-parse', 'HEAD:./']))?.trim();
  if (head) {
    const [diff, untracked] = await Promise.all([
      git(checkout, ['diff', 'HEAD', '--binary', '--', '.']),
      git(checkout, ['ls-files', '--others', '--exclude-standard', '-z', '--', '.']),
    ]);
    const extra = (untracked ?? '').split('\0').filter(
      (f) =>
        f &&
        !f
          .split('/')
          .slice(0, -1)
          .some((dir) => SKIP_DIR_RE.test(dir)),
    );
    if (!diff && extra.length === 0) return `git:${head.slice(0, 12)}`;
    const hash = crypto.createHash('sha256').update(diff ?? '');
    await hashContents(hash, checkout, extra.sort());
    return `git:${head.slice(0, 12)}+${hash.digest('hex').slice(0, 12)}`;
  }
  const files = await listTree(checkout, { skipDir: (rel) => SKIP_DIR_RE.test(rel) });
  const hash = crypto.createHash('sha256');
  await hashContents(hash, checkout, files);
  return `tree:${hash.digest('hex').slice(0, 16)}`;
}

async function hashContents(hash: crypto.Hash, root: string, rels: string[]): Promise<void> {
  const contents = await Promise.all(
    rels.map((rel) => fs.readFile(path.join(root, rel)).catch(() => Buffer.from('\0missing'))),
  );
  rels.forEach((rel, i) => hash.update(`${rel}\0${contents[i]!.length}\0`).update(contents[i]!));
}
