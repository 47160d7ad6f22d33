import { defineRule } from '../rule.ts';
import { sortBraceDisplays } from '../python-literal.ts';

export default defineRule({
  name: 'dict-order',
  description:
    'OPT-IN. A printed dict whose keys and values are all simple literals gets its items sorted. Dicts keep insertion order, so this only helps for dicts built by iterating a set; it would hide a real ordering bug.',
  rewrites: 'a printed dict whose keys and values are all simple literals gets its items sorted',
  why: 'dicts keep insertion order; only dicts built by iterating a set differ, and sorting would hide a real ordering bug',
  defaultEnabled: false,
  apply: (t) => sortBraceDisplays(t, true),
});
