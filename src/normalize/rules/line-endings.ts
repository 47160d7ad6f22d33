import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'line-endings',
  description: 'CRLF and stray CR before a newline become LF (Nuitka strips a trailing \\r per line).',
  rewrites: '`\\r\\n` (and `\\r\\r\\n`) -> `\\n`',
  why: 'Nuitka strips a trailing `\\r` per line',
  apply: (t) => (t.includes('\r') ? t.replace(/\r+\n/g, '\n') : t),
});
