import escapeStringRegexp from 'escape-string-regexp';
import { defineRule, scriptStem } from '../rule.ts';

export default defineRule({
  name: 'script-name',
  description:
    'The wasm file name (`<stem>.wasm`, or ctx.wasmName) becomes the script name: `sys.argv[0]` and directory listings show `hello.wasm` where CPython shows `hello.py`.',
  rewrites: '`<stem>.wasm` (or `ctx.wasmName`) -> `ctx.scriptName`',
  why: "`sys.argv[0]` is the wasm path, and `os.listdir('.')` shows the wasm where CPython shows the script",
  apply: (t, ctx) => {
    const wasm = ctx.wasmName ? ctx.wasmName.replace(/^.*[/\\]/, '') : `${scriptStem(ctx.scriptName)}.wasm`;
    const script = ctx.scriptName.replace(/^.*[/\\]/, '');
    if (!wasm || !t.includes(wasm)) return t;
    return t.replace(new RegExp(`(?<![\\w.-])${escapeStringRegexp(wasm)}(?![\\w.-])`, 'g'), script);
  },
});
