import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'timestamp',
  description:
    'Wall-clock values: ISO date-times with microseconds (`2024-05-01 12:34:56.789012`, what `datetime.now()` prints), `datetime.datetime(...)` reprs with 7 fields, and epoch floats `time.time()` prints (`1714567890.123456`) become `<timestamp>`/`<epoch>`.',
  rewrites:
    '`2024-05-01 12:34:56.789012` (and `T`, optional UTC offset) -> `<timestamp>`; `datetime.datetime(2024, 5, 1, 12, 34, 56, 789012` -> `datetime.datetime(<timestamp>`; epoch floats `1714567890.123456` -> `<epoch>`',
  why: '`datetime.now()` and `time.time()` are read at different moments by the two runs. Date-times without microseconds are left alone (those are usually fixed data)',
  // every value has a digit and a dot: a text without them (a long output's run of lines) is not scanned
  apply: (t) =>
    !/\d/.test(t) || !t.includes('.')
      ? t
      : t
          .replace(/\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\.\d{6}(?:[+-]\d\d:\d\d)?/g, '<timestamp>')
          .replace(
            /\bdatetime\.datetime\(\d{4}, \d{1,2}, \d{1,2}, \d{1,2}, \d{1,2}, \d{1,2}, \d{1,6}(?=[,)])/g,
            'datetime.datetime(<timestamp>',
          )
          .replace(/(?<![\w.])1[5-9]\d{8}\.\d+(?![\w.])/g, '<epoch>'),
});
