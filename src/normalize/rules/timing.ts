import { defineRule } from '../rule.ts';

const TIME_UNIT = String.raw`(?:s|secs?|seconds?|ms|msecs?|milliseconds?|us|usecs?|µs|microseconds?|ns|nsecs?|nanoseconds?)`;
const FLOAT = String.raw`(?:\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)`;

export default defineRule({
  name: 'timing',
  description:
    'Measured durations: `Ran N tests in 0.003s`, a float followed by a time unit (`0.25 s`, `12.5ms`, `25.3 usec per loop`), integer counts of ms/us/ns, and a float after took/elapsed/duration/delta/time/timing/runtime (`delta: 2.5e-05`) become `<T>` (Nuitka: timing_re, ran_tests_re).',
  rewrites:
    '`Ran 3 tests in 0.004s` -> `in <T>s`; a float before a time unit (`0.25 s`, `12.5ms`, `25.3 usec per loop`, `1e-05 seconds`) -> `<T>`; an integer before ms/us/ns units; a float after `took`/`elapsed`/`duration`/`delta`/`time`/`timing`/`runtime` (optionally `:`/`=`) -> `<T>`',
  why: 'measured durations differ on every run. Nuitka: `timing_re`, `ran_tests_re`. Integers before `s`/`seconds` are left alone (often not measurements)',
  // `[^\S\n]`, not `\s`: a rule sees one line at a time when a long stream is normalized in runs of lines
  apply: (t) =>
    !/\d/.test(t)
      ? t
      : t
          .replace(/^(Ran \d+ tests? in )-?\d+\.\d+s$/gm, '$1<T>s')
          .replace(new RegExp(String.raw`(?<![\w.])-?${FLOAT}(?=[^\S\n]?${TIME_UNIT}\b)`, 'g'), '<T>')
          .replace(
            /(?<![\w.])\d+(?=[^\S\n]?(?:ms|msecs?|milliseconds?|us|usecs?|µs|microseconds?|ns|nsecs?|nanoseconds?)\b)/g,
            '<T>',
          )
          .replace(
            new RegExp(
              String.raw`\b(took|elapsed|duration|delta|time|timing|runtime)([^\S\n]*[:=]?[^\S\n]*)-?${FLOAT}(?![\w.])`,
              'gi',
            ),
            '$1$2<T>',
          ),
});
