// A patch as a unified diff that `patch -p1` and `git apply` take, paths from a py2wasm checkout's
// root (`a/nuitka/build/static_src/X.c`), and patches of several kinds combined into one tree.
import { applyPatch, createTwoFilesPatch } from 'diff';
import type { FileChange } from './types.ts';

export function unifiedDiff(changes: FileChange[]): string {
  return changes
    .map((c) =>
      createTwoFilesPatch(`a/${c.path}`, `b/${c.path}`, c.before, c.after, undefined, undefined, { context: 3 })
        // jsdiff's separator line and tab after each name are not git's
        .replace(/^=+\n/, `diff --git a/${c.path} b/${c.path}\n`)
        .replace(/^(---|\+\+\+) (\S+)\t$/gm, '$1 $2'),
    )
    .join('');
}

/** The changes of several patches together: a file two patches change gets both, the second applied onto the first. */
export function combineChanges(patches: FileChange[][]): FileChange[] {
  const byPath = new Map<string, FileChange>();
  for (const changes of patches)
    for (const c of changes) {
      const earlier = byPath.get(c.path);
      if (!earlier) {
        byPath.set(c.path, { ...c });
        continue;
      }
      const merged = applyPatch(earlier.after, createTwoFilesPatch(c.path, c.path, c.before, c.after));
      if (merged === false)
        throw new Error(`two patches change ${c.path} in the same place: they cannot be applied together`);
      byPath.set(c.path, { ...earlier, after: merged });
    }
  return [...byPath.values()];
}
