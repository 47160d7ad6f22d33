import { defineRule } from '../rule.ts';
import { sortBraceDisplays } from '../python-literal.ts';

export default defineRule({
  name: 'set-order',
  description:
    'A printed set or frozenset `{e1, e2, ...}` whose elements are all simple literals (str/bytes reprs, numbers, None/True/False, tuples of those) gets its elements sorted. String hashing is randomised, so set order changes run to run in CPython and in the wasm. A dict (`k: v`) never matches; sets nested in dicts and lists are sorted in place.',
  rewrites:
    'a printed set or frozenset `{e1, e2, ...}` whose elements are all simple literals (str/bytes reprs with escapes, ints, floats, complex, `inf`/`nan`, `None`/`True`/`False`/`Ellipsis`, tuples of those) gets its elements sorted (as text)',
  why: "string hashing is randomised, so set order changes run to run in CPython and in the wasm (fixture `nondeterministic`: `{'gamma', 'beta', 'delta', 'alpha'}` vs `{'beta', 'alpha', 'delta', 'gamma'}`). A dict never matches (`k: v` is not a literal), so dicts are never reordered; sets inside dicts, lists and tuples are sorted in place; `set()` and sets of other objects (`{Point(1, 2), ...}`) are left as printed",
  apply: (t) => sortBraceDisplays(t, false),
});
