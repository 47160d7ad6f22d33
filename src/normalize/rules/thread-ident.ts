import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'thread-ident',
  description:
    'Thread identifiers: `Thread 0x...` (faulthandler) and `started 140234...` in Thread reprs (Nuitka: thread_re).',
  rewrites: '`Thread 0x7f...` -> `Thread 0xTHREAD`, `started 140234...` -> `started <ident>`',
  why: 'thread ids in faulthandler dumps and `Thread` reprs. Nuitka: `thread_re`',
  // each pattern only where its words are: a long output is normalized run by run, and these scans cost
  apply: (t) => {
    const named = t.includes('hread 0x') ? t.replace(/\b([Tt]hread) 0x[0-9a-fA-F]+/g, '$1 0xTHREAD') : t;
    return named.includes('started') ? named.replace(/\b(started(?: daemon)?) \d+\b/g, '$1 <ident>') : named;
  },
});
