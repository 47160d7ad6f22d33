import { defineRule, usableScratchDirs, type NormalizeContext } from '../rule.ts';

/**
 * `<prefix>/lib/python3.11/[site-packages/]collections/__init__.py` -> `collections/__init__.py`:
 * where an interpreter keeps its stdlib differs from install to install (and between CPython and the wasm).
 */
export function stdlibRelativePath(p: string): string | undefined {
  return /^.*\/lib\/python\d+\.\d+\/(?:(?:site|dist)-packages\/)?(.+)$/.exec(p)?.[1]; // the innermost stdlib
}

function canonicalTracebackPath(p: string, ctx: NormalizeContext): string {
  for (const dir of usableScratchDirs(ctx)) {
    if (p.startsWith(`${dir}/`)) return p.slice(dir.length + 1);
  }
  if (p.startsWith('<scratch>/')) return p.slice('<scratch>/'.length);
  const lib = stdlibRelativePath(p);
  if (lib) return lib;
  if (p.startsWith('<')) return p; // <string>, <frozen importlib._bootstrap>, <stdin>
  return p.replace(/^(?:\.\/)+/, '').replace(/^\/+/, '');
}

export default defineRule({
  name: 'traceback-paths',
  description:
    'Paths in traceback frames (`File "...", line N`) become module-relative: the scratch dir, `./` (wasm), `/lib/python3.11/` and `site-packages/` prefixes are dropped, so `File "/abs/scratch/x.py"` and `File "./x.py"`, `.../lib/python3.11/threading.py` and `./threading.py` read alike (Nuitka: traceback_re).',
  rewrites:
    'in `File "...", line N` frames: the scratch dir, `./`, `.../lib/python3.X/`, `site-packages/` prefixes are dropped (`File "/abs/scratch/x.py"` and `File "./x.py"` -> `File "x.py"`; `.../lib/python3.11/threading.py` and `./threading.py` -> `threading.py`)',
  why: 'the wasm prints every module as `./name.py` (Nuitka standalone puts all modules beside the main one); CPython prints absolute paths. Nuitka: `traceback_re` (realpath)',
  apply: (t, ctx) =>
    t.includes('File "')
      ? t.replace(
          /(\bFile ")([^"\n]+)(", line \d+)/g,
          (_m, a: string, p: string, b: string) => `${a}${canonicalTracebackPath(p, ctx)}${b}`,
        )
      : t,
});
