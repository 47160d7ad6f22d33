import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'sys-platform',
  description:
    "OPT-IN. The word `wasi` becomes `linux`. `sys.platform` read at run time (`getattr(sys, 'platform')`) is `wasi` in the wasm while Nuitka folds a literal `sys.platform` to the build host's `linux`; code branching on it behaves differently, so by default this stays a difference.",
  rewrites: 'the word `wasi` -> `linux`',
  why: "Nuitka folds a literal `sys.platform` to the build host's `linux`, but `getattr(sys, 'platform')` is `wasi` in the wasm; code branching on the run-time value takes another path, so it is a real difference",
  defaultEnabled: false,
  apply: (t) => (t.includes('wasi') ? t.replace(/\bwasi\b/g, 'linux') : t),
});
