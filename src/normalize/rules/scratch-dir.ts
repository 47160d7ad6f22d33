import escapeStringRegexp from 'escape-string-regexp';
import { defineRule, usableScratchDirs } from '../rule.ts';

export default defineRule({
  name: 'scratch-dir',
  description:
    'Each directory of `ctx.scratchDirs` (where CPython and the wasm ran) becomes `<scratch>`, e.g. `__file__` and `os.getcwd()` under CPython (Nuitka: tempfile_re for its own temp dirs).',
  rewrites:
    'each of `ctx.scratchDirs` -> `<scratch>` (not when followed by a name character: `/run1` never eats `/run10`; entries `/` and `.` are ignored)',
  why: '`__file__`, `os.getcwd()`, paths printed by the program under CPython. Nuitka: `tempfile_re` for its own temp dirs',
  apply: (t, ctx) => {
    let out = t;
    for (const dir of usableScratchDirs(ctx)) {
      if (!out.includes(dir)) continue;
      out = out.replace(new RegExp(`${escapeStringRegexp(dir)}(?![\\w.-])`, 'g'), '<scratch>');
    }
    return out;
  },
});
