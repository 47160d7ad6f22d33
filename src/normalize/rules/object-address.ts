import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'object-address',
  description:
    'Object addresses in reprs, `at 0x7f6d89ece850` (CPython) / `at 0x11cc3a0` (wasm), become `at 0xADDR` (Nuitka: instance_re).',
  rewrites: '`at 0x7f6d89ece850` -> `at 0xADDR`',
  why: "CPython's addresses are `0x7f...` and change per run; the wasm's are small (`0x11cc3a0`). Nuitka: `instance_re` (we require the `0x`)",
  apply: (t) => t.replace(/\bat 0x[0-9a-fA-F]+\b/g, 'at 0xADDR'),
});
