import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'wasm-relative-path',
  description:
    "A path starting with `./` at a word start (`./files.py`, `./helper.py`: the wasm's `__file__`) becomes `<scratch>/...`, matching the absolute path CPython prints once `scratch-dir` replaced it.",
  rewrites: '`./name` at a word start -> `<scratch>/name`',
  why: "the wasm's `__file__` is `./example1.py` (and `helper.__file__` `./helper.py`) where CPython prints the absolute path, which `scratch-dir` made `<scratch>/example1.py`",
  apply: (t) => (t.includes('./') ? t.replace(/(^|[\s'"([=,:])\.\/(?=[\w.-])/gm, '$1<scratch>/') : t),
});
