import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'tempfile-names',
  description: "`tempfile`'s random names (`tmp` + 8 of [a-z0-9_]) become `tmpXXXXXXXX` (Nuitka: tempfile_re).",
  rewrites: '`tmp` + 8 of `[a-z0-9_]` -> `tmpXXXXXXXX`',
  why: '`tempfile` names are random. Nuitka: `tempfile_re`',
  apply: (t) => (t.includes('tmp') ? t.replace(/(?<![A-Za-z0-9])tmp[a-z0-9_]{8}(?![A-Za-z0-9_])/g, 'tmpXXXXXXXX') : t),
});
