import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'did-you-mean',
  description:
    "Removes CPython's `. Did you mean: 'x'?` suggestion from NameError/AttributeError messages; compiled code raises them without the attributes the suggestion needs (Nuitka: did_you_mean_re).",
  rewrites: "`. Did you mean: 'x'?` removed",
  why: 'CPython adds suggestions compiled code cannot get. Nuitka: `did_you_mean_re`',
  apply: (t) => (t.includes('Did you mean') ? t.replace(/\. Did you mean: '[^'\n]*'\?/g, '') : t),
});
