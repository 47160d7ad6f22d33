import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'module-repr',
  description:
    "Module reprs `<module 'x' from '/path/x.py'>` and `<module 'x' (frozen)>` become `<module 'x' from '<path>'>`: CPython's frozen/absolute modules are embedded `./x.py` modules in the wasm (Nuitka: module_repr_re and the frozen-module list).",
  rewrites: "`<module 'x' from '/path/x.py'>` and `<module 'x' (frozen)>` -> `<module 'x' from '<path>'>`",
  why: "CPython's frozen or absolute-path modules are embedded `./x.py` modules in the wasm. Nuitka: `module_repr_re` and its frozen-module list",
  apply: (t) =>
    t.includes('<module ') ? t.replace(/(<module '[^'\n]*' )(?:from '[^'\n]*'|\(frozen\))>/g, "$1from '<path>'>") : t,
});
