import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'thread-ident',
  description:
    'Thread identifiers: `Thread 0x...` (faulthandler) and `started 140234...` in Thread reprs (Nuitka: thread_re).',
  rewrites: '`Thread 0x7f...` -> `Thread 0xTHREAD`, `started 140234...` -> `started <ident>`',
  why: 'thread ids in faulthandler dumps and `Thread` reprs. Nuitka: `thread_re`',
  apply: (t) =>
    t.replace(/\b([Tt]hread) 0x[0-9a-fA-F]+/g, '$1 0xTHREAD').replace(/\b(started(?: daemon)?) \d+\b/g, '$1 <ident>'),
});
