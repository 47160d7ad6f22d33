import { ddmin } from './ddmin.ts';
import type { AstUnit, PythonAst } from './python-ast.ts';

export interface ReduceSourceOptions {
  /** Candidates judged at once. @default 1 */
  parallel?: number;
  signal?: AbortSignal;
  /** Called with every smaller source that still holds (to save it, and to show progress). */
  onSmaller?: (source: string) => void | Promise<void>;
}

/**
 * Hierarchical delta debugging over a script's AST: module-level statements first, then the bodies
 * of what was kept, one nesting level at a time; then compound statements replaced by their bodies;
 * then single removals anywhere until none holds, so the result is 1-minimal over its units.
 * `holds(source)` says whether a candidate still fails the same way; `start` must hold.
 */
export async function reduceSource(
  start: string,
  holds: (source: string) => Promise<boolean>,
  ast: PythonAst,
  opts: ReduceSourceOptions = {},
): Promise<string> {
  let current = start;
  const accept = async (source: string) => {
    current = source;
    await opts.onSmaller?.(source);
  };
  const without = (source: string, units: AstUnit[]) => ast.render(source, { remove: units.map((u) => u.id) });

  for (let depth = 0; ; depth++) {
    const all = await ast.units(current);
    if (!all.some((u) => u.depth >= depth)) break;
    const level = all.filter((u) => u.depth === depth);
    if (level.length === 0) continue;
    const base = current;
    const kept = await ddmin(
      level,
      async (subset) =>
        holds(
          await without(
            base,
            level.filter((u) => !subset.includes(u)),
          ),
        ),
      {
        parallel: opts.parallel ?? 1,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
    );
    if (kept.length < level.length)
      await accept(
        await without(
          base,
          level.filter((u) => !kept.includes(u)),
        ),
      );
  }

  // replace if/for/while/with/try by their bodies, one at a time
  for (let changed = true; changed;) {
    changed = false;
    for (const unit of (await ast.units(current)).filter((u) => u.unwrappable)) {
      opts.signal?.throwIfAborted();
      const candidate = await ast.render(current, { unwrap: [unit.id] });
      if (candidate !== current && (await holds(candidate))) {
        await accept(candidate);
        changed = true;
        break;
      }
    }
  }

  // 1-minimal: no single unit left whose removal still holds (deeper levels may have freed outer ones)
  for (let changed = true; changed;) {
    changed = false;
    const units = await ast.units(current);
    for (const unit of units) {
      opts.signal?.throwIfAborted();
      const candidate = await without(current, [unit]);
      if (candidate !== current && (await holds(candidate))) {
        await accept(candidate);
        changed = true;
        break;
      }
    }
  }
  return current;
}
