import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'compiled-types',
  description:
    "Nuitka's type names `compiled_function`, `compiled_method`, `compiled_generator`, `compiled_coroutine`, `compiled_async_generator`, `compiled_cell`, `compiled_frame`, `compiled_module` (and their `_*` helper types) lose the `compiled_` prefix (Nuitka: compiled_types_re).",
  rewrites:
    '`compiled_function` -> `function`, also `compiled_method`, `compiled_generator`, `compiled_coroutine`, `compiled_async_generator`, `compiled_cell`, `compiled_frame`, `compiled_module`, `compiled_aiter_wrapper` and their `_suffix` types',
  why: "Nuitka's types print as `<compiled_function f at ...>`, `<bound compiled_method A.m of ...>`, `<class 'compiled_function'>`. Nuitka: `compiled_types_re`",
  apply: (t) =>
    t.includes('compiled_')
      ? t.replace(
          /\bcompiled_(?=(?:function|method|generator|coroutine|async_generator|aiter_wrapper|module|frame|cell)(?:_\w+)?\b)/g,
          '',
        )
      : t,
});
